import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

/** Starts `deckhand mcp notes --http --port 0 …` and resolves with its URL from the listening line on stderr. */
async function serveNotes(extra: readonly string[]): Promise<string> {
  const { home, cwd } = freshWorkspace();
  child = spawn(process.execPath, [CLI, 'mcp', 'notes', '--http', '--port', '0', ...extra], { cwd, env: cliEnv(home), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  for await (const chunk of child.stderr!) {
    stderr += String(chunk);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1];
    if (url) return url;
  }
  throw new Error(`deckhand mcp notes --http exited without listening:\n${stderr}`);
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function initialize(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fetch', version: '1' } } }),
  });
  await response.text();
  expect(response.status).toBe(200);
  return response.headers.get('mcp-session-id')!;
}

async function ping(url: string, sessionId: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  });
  await response.text();
  return response.status;
}

// Invariant: an MCP HTTP server holds a bounded number of sessions, whatever clients do: least recently used out, idle ones expire.
describe('deckhand mcp --http: session limits', () => {
  it('keeps at most --max-sessions, closing the least recently used first', async () => {
    const url = await serveNotes(['--max-sessions', '3']);
    const [a, b, c] = [await initialize(url), await initialize(url), await initialize(url)];
    expect(await ping(url, a!)).toBe(200); // a is now the most recently used; b the least
    const d = await initialize(url);
    expect(await ping(url, b!)).toBe(404);
    for (const sessionId of [a, c, d]) expect(await ping(url, sessionId!)).toBe(200);
    // Hundreds of initializes later, still only the newest three answer.
    const many: string[] = [];
    for (let index = 0; index < 200; index++) many.push(await initialize(url));
    expect(await ping(url, a!)).toBe(404);
    expect(await Promise.all(many.slice(-3).map((sessionId) => ping(url, sessionId)))).toEqual([200, 200, 200]);
    expect(await ping(url, many.at(-4)!)).toBe(404);
  });

  it('closes sessions idle for --session-idle-seconds', { timeout: 40_000 }, async () => {
    const url = await serveNotes(['--session-idle-seconds', '1']);
    const sessionId = await initialize(url);
    expect(await ping(url, sessionId)).toBe(200);
    // No traffic for a while, then one request: 404 once the sweep closed it. A busy machine may delay the
    // sweep, so wait longer on each (bounded) try; a 200 only means the sweep had not run yet.
    let status = 200;
    for (const waitMs of [3_000, 6_000, 10_000]) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      status = await ping(url, sessionId);
      if (status !== 200) break;
    }
    expect(status).toBe(404);
  });

  it('says the limits in --help', async () => {
    const { home, cwd } = freshWorkspace();
    const help = await runCli(['mcp', '--help'], { env: cliEnv(home), cwd });
    expect(help.stdout).toMatch(/--max-sessions/);
    expect(help.stdout).toMatch(/at most 256 sessions/);
    expect(help.stdout).toMatch(/5 minutes idle/);
    expect(help.stdout).toMatch(/4 MiB/);
  });
});
