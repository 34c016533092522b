import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { McpHost } from '../src/mcp/index.js';

// Transport behaviour the everything-suite does not reach: the legacy HTTP+SSE fallback and per-call timeouts.

const EVERYTHING = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
const LISTEN_LOCALHOST = fileURLToPath(new URL('./fixtures/listen-localhost.cjs', import.meta.url));
const SLOW_SERVER = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));

const children: ChildProcess[] = [];
const hosts: McpHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('McpHost transports', () => {
  it('falls back to the legacy HTTP+SSE transport when Streamable HTTP is refused', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--require', LISTEN_LOCALHOST, EVERYTHING, 'sse'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/(listening|running) on port/i.test(stderr)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server-everything sse exited (${code}): ${stderr}`)));
    });
    // No "type": the host tries Streamable HTTP first, as the spec's backwards-compatibility rule says.
    const host = await McpHost.start({ servers: { legacy: { url: `http://127.0.0.1:${port}/sse`, headers: {} } } });
    hosts.push(host);
    expect(host.failures()).toEqual([]);
    expect(host.specs().map((spec) => spec.name)).toContain('legacy__get-sum');
    const outcome = await host.call('legacy__get-sum', { a: 2, b: 3 }, { toolCallId: 'sum' });
    expect(outcome).toMatchObject({ isError: false, text: expect.stringContaining('5') });
  });

  it('a call that outlives the per-call timeout comes back as a tool error, and the server keeps serving', async () => {
    const host = await McpHost.start({
      servers: { slow: { command: process.execPath, args: [SLOW_SERVER], env: {}, timeoutMs: 300 } },
    });
    hosts.push(host);
    const stuck = await host.call('slow__wait', { ms: -1 }, { toolCallId: 'stuck' });
    expect(stuck).toMatchObject({ isError: true, text: expect.stringMatching(/slow\.wait.*did not answer within 300 ms/) });
    const quick = await host.call('slow__wait', { ms: 1 }, { toolCallId: 'quick' });
    expect(quick).toMatchObject({ isError: false, text: 'waited 1 ms' });
  });

  it('an aborted call rejects with the caller’s reason promptly', async () => {
    const host = await McpHost.start({ servers: { slow: { command: process.execPath, args: [SLOW_SERVER], env: {} } } });
    hosts.push(host);
    const controller = new AbortController();
    const pending = host.call('slow__wait', { ms: -1 }, { toolCallId: 'abort', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(pending).rejects.toThrow('user cancelled');
    expect((await host.call('slow__wait', { ms: 1 }, { toolCallId: 'after' })).isError).toBe(false);
  });

  it('introduces itself with the version in package.json', async () => {
    const host = await McpHost.start({ servers: { slow: { command: process.execPath, args: [SLOW_SERVER], env: {} } } });
    hosts.push(host);
    const outcome = await host.call('slow__whoami', {}, { toolCallId: 'who' });
    expect(outcome).toMatchObject({ isError: false, text: `deckhand ${packageJson.version}` });
  });
});
