import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { BUILTIN_SERVER_NAMES } from '../src/config/schema.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

/** No stack trace reaches a person for a usage mistake. */
const expectNoStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('deckhand CLI: bad input', () => {
  it('an unknown model provider exits 2 with one line naming the valid ones', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'hello', '--model', 'foo:bar'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/openai, openai-chat, anthropic, google, vertex, azure, bedrock, ollama or compat/);
    expectNoStack(result.stderr);
  });

  it('a cloud model without its key exits 2 and says which variable to set', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'hello', '--model', 'openai:gpt-4.1-mini'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/OPENAI_API_KEY/);
    expectNoStack(result.stderr);
  });

  it('a malformed deckhand.json exits 2 naming the file and the key', async () => {
    const { home, cwd } = freshWorkspace();
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ mcpServers: { crm: { cmd: 'x' } } }));
    const result = await runCli(['run', 'hello'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(cwd, 'deckhand.json'));
    expect(result.stderr).toContain('mcpServers.crm');
    expectNoStack(result.stderr);
  });

  it('bad flag values and unknown commands exit 2', async () => {
    const { home, cwd } = freshWorkspace();
    const steps = await runCli(['run', 'hello', '--max-steps', 'lots'], { env: cliEnv(home), cwd });
    expect(steps.code).toBe(2);
    expect(steps.stderr).toMatch(/--max-steps.*whole number/);
    const budget = await runCli(['run', 'hello', '--budget-usd', '-1'], { env: cliEnv(home), cwd });
    expect(budget.code).toBe(2);
    const unknown = await runCli(['fly'], { env: cliEnv(home), cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'fly'/);
  });

  it('a server command that does not exist is reported, and the other servers keep working', async () => {
    const { home, cwd } = freshWorkspace();
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ mcpServers: { ghost: { command: 'deckhand-no-such-server-binary' } } }));
    const result = await runCli(['servers', '--json'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(1); // a configured server failed: scripts can tell
    const servers = JSON.parse(result.stdout) as Array<{ name: string; state: string; error: string | null; tools: unknown[] }>;
    const ghost = servers.find((server) => server.name === 'ghost');
    expect(ghost?.state).toBe('failed');
    expect(ghost?.error).toMatch(/deckhand-no-such-server-binary.*(ENOENT|not found)/s);
    expect(servers.find((server) => server.name === 'crm')).toMatchObject({ state: 'ready' });
  });
});

describe('deckhand servers / doctor', () => {
  it('servers --json lists the built-in servers with namespaced tool names and annotations', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['servers', '--json'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(0);
    const servers = JSON.parse(result.stdout) as Array<{ name: string; tools: Array<{ name: string; modelName: string; annotations: object }> }>;
    expect(servers.map((server) => server.name)).toEqual([...BUILTIN_SERVER_NAMES]);
    expect(servers[0]?.tools.find((tool) => tool.name === 'getCustomerEmail')).toMatchObject({ modelName: 'crm__getCustomerEmail', annotations: { readOnlyHint: true } });
  });

  it('doctor checks node, data dir, store, each server and the offline model', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['doctor', '--json'], { env: cliEnv(home), cwd });
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(report.checks.map((check) => check.name)).toEqual(['node', 'config', 'data dir', 'store', ...BUILTIN_SERVER_NAMES.map((name) => `server ${name}`), 'model']);
    expect(report.ok).toBe(true);
    expect(result.code).toBe(0);
  });

  it('doctor fails (exit 1) when a configured server cannot start', async () => {
    const { home, cwd } = freshWorkspace();
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ mcpServers: { broken: { command: process.execPath, args: ['-e', 'console.error("boom: missing API token"); process.exit(3)'] } } }));
    const result = await runCli(['doctor'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ server broken/);
    expect(result.stdout).toMatch(/boom: missing API token/);
  });
});

describe('deckhand run --json', () => {
  it('prints only JSON event lines on stdout', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'book me a flight to Paris', '--json'], { env: cliEnv(home), cwd });
    const events = parseJsonLines(result.stdout);
    expect(events[0]).toMatchObject({ type: 'run-start', model: 'offline' });
    expect(events.at(-1)).toMatchObject({ type: 'run-end' });
  });
});

describe('deckhand mcp', () => {
  it('runs a built-in server over stdio for any MCP host', async () => {
    const { home } = freshWorkspace();
    const client = new Client({ name: 'test-host', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', 'crm'], env: { DECKHAND_HOME: home }, stderr: 'pipe' }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('getCustomerEmail');
      const result = await client.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } });
      expect(result.structuredContent).toMatchObject({ email: 'lisa.park@example.com' });
    } finally {
      await client.close();
    }
  });

  it('an unknown server name exits 2 and lists the built-in ones', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['mcp', 'payroll'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown built-in server 'payroll'\. Built-in servers: crm, .*email/);
  });
});

describe('deckhand seed', () => {
  it('--reset rebuilds the demo data and keeps runs', async () => {
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home);
    expect((await runCli(['run', 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.', '--yes'], { env, cwd })).code).toBe(0);
    const db = () => new DatabaseSync(join(home, 'deckhand.db'), { timeout: 10_000 });
    const writable = db();
    writable.prepare("update customers set name = 'Changed' where id = 'C-1001'").run();
    writable.close();
    const result = await runCli(['seed', '--reset'], { env, cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Rebuilt the demo data in .*: 12 customers, 14 orders, 16 inventory/);
    const readonly = db();
    try {
      expect(readonly.prepare("select name from customers where id = 'C-1001'").get()).toEqual({ name: 'Lisa Park' });
      expect(readonly.prepare("select count(*) as count from emails where kind = 'shipping-confirmation' and id not like 'EM-000%'").get()).toEqual({ count: 0 });
      expect(readonly.prepare('select count(*) as count from runs').get()).toEqual({ count: 1 });
    } finally {
      readonly.close();
    }
  });
});
