import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinServerEntry } from '../src/shared/package-info.js';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

describe('deckhand mcp add|list|remove and --config', () => {
  it('edits the config file, keeping its other keys; the added stdio server then starts', { timeout: 120_000 }, async () => {
    const { home, cwd } = freshWorkspace();
    const file = join(cwd, 'team.json');
    writeFileSync(file, JSON.stringify({ builtinServers: false, maxSteps: 7 }));
    const env = cliEnv(home, { DB_FILE: join(home, 'deckhand.db') });
    const cli = (args: string[]) => runCli(['--config', file, ...args], { env, cwd });

    const added = await cli(['mcp', 'add', 'mine', '-e', 'DECKHAND_DB=${DB_FILE}', '--', process.execPath, builtinServerEntry(), 'crm']);
    expect(added.code, added.stderr).toBe(0);
    const remote = await cli(['mcp', 'add', 'tickets', 'https://mcp.example.com/mcp', '-H', 'Authorization: Bearer ${TICKETS_TOKEN}']);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      builtinServers: false,
      maxSteps: 7,
      mcpServers: {
        mine: { command: process.execPath, args: [builtinServerEntry(), 'crm'], env: { DECKHAND_DB: '${DB_FILE}' } },
        tickets: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${TICKETS_TOKEN}' } },
      },
    });
    const again = await cli(['mcp', 'add', 'mine', 'node']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already configured/);

    const listed = await cli(['mcp', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ file, mcpServers: { mine: {}, tickets: {} } });

    expect((await cli(['mcp', 'remove', 'tickets'])).code).toBe(0);
    expect((await cli(['mcp', 'remove', 'tickets'])).code).toBe(1);
    const servers = await cli(['servers', '--json']);
    expect(servers.code, servers.stderr).toBe(0);
    expect(JSON.parse(servers.stdout)).toMatchObject([{ name: 'mine', state: 'ready' }]);
  });

  it('a bad entry or a missing --config file is bad usage (exit 2)', async () => {
    const { home, cwd } = freshWorkspace();
    const bad = await runCli(['--config', join(cwd, 'x.json'), 'mcp', 'add', 'bad name', 'node'], { env: cliEnv(home), cwd });
    expect(bad.code).toBe(2);
    const missing = await runCli(['--config', join(cwd, 'nope.json'), 'servers'], { env: cliEnv(home), cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json does not exist/);
  });
});
