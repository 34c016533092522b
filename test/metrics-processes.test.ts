/**
 * `/metrics` of real processes: `deckhand serve` after a run it executed (the offline planner over a spawned
 * built-in server), and `deckhand mcp crm --http` after a tool call a real MCP client made over Streamable HTTP.
 * Asserted from the scraped exposition text.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cliEnv, freshWorkspace } from './helpers/cli.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const MAX_POLLS = 200;

const children: ChildProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const child of children.splice(0)) child.kill('SIGTERM');
});

/** Spawns the CLI with `args` and resolves with the first match of `pattern` on its stderr. */
function start(args: string[], ws: { home: string; cwd: string }, pattern: RegExp): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.cwd, env: cliEnv(ws.home, { DECKHAND_MODEL: 'offline', DECKHAND_TOKEN: TOKEN }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = pattern.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`deckhand ${args[0]} exited ${code}: ${stderr}`)));
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('/metrics of real processes', () => {
  it('deckhand serve: runs by outcome, model and tool latency, approvals pending, after a run it executed', async () => {
    const ws = freshWorkspace();
    mkdirSync(ws.cwd, { recursive: true });
    writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['crm'] }));
    const base = new URL(await start(['serve', '--port', '0'], ws, /Open (http:\/\/\S+)/)).origin;

    const started = await fetch(`${base}/api/runs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ task: 'What is the email of the customer of XYZ-789?' }) });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    let status = '';
    for (let poll = 0; poll < MAX_POLLS && (status === '' || status === 'running'); poll++) {
      status = ((await (await fetch(`${base}/api/runs/${runId}`, { headers: auth })).json()) as { status: string }).status;
      if (status === 'running') await sleep(50);
    }
    expect(status).toBe('finished');

    const scraped = await fetch(`${base}/metrics`, { headers: auth });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await scraped.text();
    expect(body).toMatch(/^deckhand_runs_total\{outcome="finished"\} 1$/m);
    expect(body).toMatch(/^deckhand_model_call_duration_seconds_count\{model="offline",kind="step"\} 2$/m);
    expect(body).toMatch(/^deckhand_model_tokens_total\{model="offline",type="input"\} 0$/m);
    expect(body).toMatch(/^deckhand_tool_call_duration_seconds_count\{server="crm",tool="getCustomerEmail",outcome="ok"\} 1$/m);
    expect(body).toMatch(/^deckhand_approvals_pending 0$/m);
  });

  it('deckhand mcp crm --http: tool calls by outcome and the open sessions, after a call over Streamable HTTP', async () => {
    const ws = freshWorkspace();
    mkdirSync(ws.cwd, { recursive: true });
    const url = await start(['mcp', 'crm', '--http', '--port', '0'], ws, /listening on (http:\/\/\S+)/);
    const client = new Client({ name: 'metrics-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
    const result = await client.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } });
    expect(result.isError).not.toBe(true);
    await client.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-000' } });

    const scraped = await fetch(new URL('/metrics', url));
    expect(scraped.status).toBe(200);
    const body = await scraped.text();
    expect(body).toMatch(/^deckhand_mcp_tool_calls_total\{server="crm",tool="getCustomerEmail",outcome="ok"\} 1$/m);
    expect(body).toMatch(/^deckhand_mcp_tool_calls_total\{server="crm",tool="getCustomerEmail",outcome="error"\} 1$/m);
    expect(body).toMatch(/^deckhand_mcp_tool_call_duration_seconds_count\{[^}]*tool="getCustomerEmail"[^}]*\} \d+$/m);
    expect(body).toMatch(/^deckhand_mcp_sessions 1$/m);
  });
});
