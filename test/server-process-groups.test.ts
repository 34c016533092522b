import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { McpHost } from '../src/mcp/index.js';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';
import { alive } from './helpers/processes.js';

const FORKING_SERVER = fileURLToPath(new URL('./fixtures/forking-server.ts', import.meta.url));

/** The server's and its helper's pids, once the fixture has written them (bounded wait). */
async function pidsIn(file: string): Promise<[number, number]> {
  for (let attempt = 0; attempt < 100 && !existsSync(file); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  const [server, helper] = readFileSync(file, 'utf8').split(' ').map(Number);
  return [server!, helper!];
}

/** Whether both processes are gone within 15 s (the SDK gives a server 2 s after stdin closes and 2 s after SIGTERM). */
async function bothGone(pids: readonly number[]): Promise<boolean> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (!pids.some(alive)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const KILLS: number[] = [];
function remember(pids: readonly number[]) {
  KILLS.push(...pids);
}
// Whatever a failing assertion leaves behind is cleaned up here, not left to the machine.
process.on('exit', () => {
  for (const pid of KILLS) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

// Invariant: no process a server started outlives the host: its whole process group is killed on every exit path.
describe('spawned MCP servers: the whole process group ends with the host', () => {
  it('a server that never finishes its handshake is killed with its children after the start timeout', { timeout: 40_000 }, async () => {
    const { cwd } = freshWorkspace();
    const pidFile = join(cwd, 'pids');
    const host = await McpHost.start({
      servers: { hang: { command: process.execPath, args: [FORKING_SERVER], env: { PID_FILE: pidFile, HANG: '1' } } },
      connectTimeoutMs: 1_500,
    });
    try {
      expect(host.failures().map((failure) => failure.name)).toEqual(['hang']);
      const pids = await pidsIn(pidFile);
      remember(pids);
      expect(await bothGone(pids)).toBe(true);
    } finally {
      await host.close();
    }
  });

  it('host.close() kills a ready server and the helper it started', async () => {
    const { cwd } = freshWorkspace();
    const pidFile = join(cwd, 'pids');
    const host = await McpHost.start({ servers: { forking: { command: process.execPath, args: [FORKING_SERVER], env: { PID_FILE: pidFile } } } });
    const pids = await pidsIn(pidFile);
    remember(pids);
    expect(host.failures()).toEqual([]);
    await host.close();
    expect(await bothGone(pids)).toBe(true);
  });

  it('a deckhand command leaves no server process behind when it exits', async () => {
    const { home, cwd } = freshWorkspace();
    const pidFile = join(cwd, 'pids');
    writeFileSync(
      join(cwd, 'deckhand.json'),
      JSON.stringify({ builtinServers: false, mcpServers: { forking: { command: process.execPath, args: [FORKING_SERVER], env: { PID_FILE: pidFile } } } }),
    );
    const result = await runCli(['servers', '--json'], { env: cliEnv(home), cwd });
    expect(result.code, result.stderr).toBe(0);
    const pids = await pidsIn(pidFile);
    remember(pids);
    expect(await bothGone(pids)).toBe(true);
  });
});
