import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

// `deckhand serve` as a real process: the token it generates, stores and prints, and the binds it refuses.

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
});

/** A workspace whose config starts no MCP servers (the token is what is tested here). */
function workspace() {
  const { home, cwd } = freshWorkspace();
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: [] }));
  return { home, cwd };
}

/** Starts `deckhand serve --port 0` and resolves with the URL it prints. */
function serve(ws: { home: string; cwd: string }, extraEnv: Record<string, string> = {}, args: string[] = []): Promise<{ url: URL; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd: ws.cwd, env: cliEnv(ws.home, { DECKHAND_MODEL: 'offline', ...extraEnv }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Open (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ url: new URL(match[1]!), stderr });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

describe('deckhand serve: the access token', () => {
  it('generates a token on first start (file mode 0600), prints it once as a URL, and keeps it across restarts', async () => {
    const ws = workspace();
    const { url, stderr } = await serve(ws);
    const token = url.searchParams.get('token')!;
    expect(stderr.match(new RegExp(token, 'g'))).toHaveLength(1);
    expect(stderr).toContain('new token, stored in $DECKHAND_HOME/api-token');
    const file = join(ws.home, 'api-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect((await fetch(new URL('/api/sessions', url))).status).toBe(401);
    expect((await fetch(new URL('/api/sessions', url), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(new URL('/health', url))).status).toBe(200);
    children.pop()!.kill('SIGTERM');

    const again = await serve(ws);
    expect(again.url.searchParams.get('token')).toBe(token);
    expect(again.stderr).not.toContain('new token');
  });

  it('takes DECKHAND_TOKEN or --token instead', async () => {
    const ws = workspace();
    const fromEnv = await serve(ws, { DECKHAND_TOKEN: 'env-token-0123456789' });
    expect(fromEnv.url.searchParams.get('token')).toBe('env-token-0123456789');
    const fromFlag = await serve(ws, {}, ['--token', 'flag-token-0123456789']);
    expect((await fetch(new URL('/api/sessions', fromFlag.url), { headers: { authorization: 'Bearer flag-token-0123456789' } })).status).toBe(200);
  });

  it('refuses a non-loopback bind without an explicit token, and a short token (exit 2)', async () => {
    const ws = workspace();
    const open = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('Refusing to bind 0.0.0.0 without an explicit token');
    const short = await runCli(['serve', '--token', 'short', '--port', '0'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--token: expected 16 to 512 printable characters');
  });
});
