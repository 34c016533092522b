/**
 * OAuth for remote MCP servers, end to end: the real CLI against a local authorization server and an MCP server it
 * protects (test/fixtures/oauth-servers.ts). The browser step is played by fetching the printed authorization URL
 * and following its redirect to the loopback, as a browser would.
 */
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { type OAuthFixture, startOAuthFixture } from './fixtures/oauth-servers.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

let fixture: OAuthFixture;
const fakes: Array<FakeProvider<unknown>> = [];
beforeAll(async () => {
  fixture = await startOAuthFixture();
});
afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  await fixture.close();
});

/** A workspace whose config has only the protected server. */
function workspace(): { home: string; cwd: string } {
  const ws = freshWorkspace();
  writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false, mcpServers: { vault: { url: fixture.mcpUrl } } }));
  return ws;
}

/** `deckhand mcp login vault`, with the browser's part done by fetching the URL it prints. */
async function login(ws: { home: string; cwd: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'mcp', 'login', 'vault'], { cwd: ws.cwd, env: cliEnv(ws.home), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const authorizationUrl = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /^\s+(http\S+)$/m.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`login exited ${code} before printing a URL: ${stderr}`)));
  });
  // The authorization server approves at once and redirects to the loopback; the "browser" follows it.
  const approval = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(approval.status).toBe(302);
  const callback = approval.headers.get('location')!;
  expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
  const landing = await fetch(callback);
  expect(await landing.text()).toContain('Deckhand is logged in');
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

/** A run whose model calls the protected tool once, then answers. */
async function runWhoami(ws: { home: string; cwd: string }) {
  const fake = await startOpenAIFake([{ toolCalls: [{ name: 'vault__whoami', args: {} }] }, { text: 'You are authorized.' }]);
  fakes.push(fake as FakeProvider<unknown>);
  const result = await runCli(['run', 'Am I authorized?', '--model', 'openai:gpt-4.1-mini', '--json', '--yes'], {
    env: cliEnv(ws.home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` }),
    cwd: ws.cwd,
  });
  return { result, events: result.stdout.trim() ? parseJsonLines(result.stdout) : [] };
}

function storedRow(home: string): { server: string; server_url: string; sealed: string } | undefined {
  const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
  try {
    return db.prepare('select server, server_url, sealed from oauth_credentials').get() as { server: string; server_url: string; sealed: string } | undefined;
  } finally {
    db.close();
  }
}

describe('deckhand mcp login and a protected remote server', () => {
  it('before login, the server is reported as needing `deckhand mcp login`, not as an HTTP status', async () => {
    const ws = workspace();
    const result = await runCli(['servers'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain("server 'vault' requires authorization (401 with WWW-Authenticate: Bearer): run `deckhand mcp login vault`");
    expect(output).not.toMatch(/SSE error|Non-200 status code/);
  });

  it('logs in with PKCE over a loopback redirect, runs with the token, refreshes it once expired, and asks for a new login when the grant is revoked', async () => {
    const ws = workspace();
    const loggedIn = await login(ws);
    expect(loggedIn.code, loggedIn.stderr).toBe(0);
    expect(loggedIn.stdout).toContain('Logged in to vault');
    expect(fixture.grants).toContain('authorization_code');

    // Kept encrypted: the row holds no token in the clear, and the key file is private.
    const row = storedRow(ws.home);
    expect(row).toMatchObject({ server: 'vault', server_url: fixture.mcpUrl });
    expect(row!.sealed).toMatch(/^v1\./);
    // No issued token, whole, and no token field name: the ciphertext is base64url, so a short prefix such as
    // `at-` turns up in it by chance (a suite run this session failed on `...7at-5Ts...`).
    expect(fixture.issued.length).toBeGreaterThanOrEqual(2);
    for (const token of fixture.issued) expect(row!.sealed).not.toContain(token);
    expect(row!.sealed).not.toMatch(/access_token|refresh_token/);
    expect(statSync(join(ws.home, 'oauth.key')).mode & 0o777).toBe(0o600);

    const doctor = await runCli(['doctor', '--json'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(JSON.parse(doctor.stdout).checks).toContainEqual(expect.objectContaining({ name: 'server vault', ok: true }));

    const first = await runWhoami(ws);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.events.find((event) => event.type === 'tool-result')).toMatchObject({ server: 'vault', tool: 'whoami', output: expect.stringContaining('authorized as the logged-in user') });

    // The access token expires: the next run refreshes it (refresh_token grant) and stores the new one.
    fixture.expireAccessTokens();
    const refreshesBefore = fixture.grants.filter((grant) => grant === 'refresh_token').length;
    const second = await runWhoami(ws);
    expect(second.result.code, second.result.stderr).toBe(0);
    expect(second.events.find((event) => event.type === 'tool-result')).toMatchObject({ output: expect.stringContaining('authorized') });
    expect(fixture.grants.filter((grant) => grant === 'refresh_token').length).toBe(refreshesBefore + 1);
    expect(storedRow(ws.home)!.sealed).not.toBe(row!.sealed);

    // The refreshed token is used as stored: a third run needs no grant at all.
    const grantsBefore = fixture.grants.length;
    expect((await runWhoami(ws)).result.code).toBe(0);
    expect(fixture.grants.length).toBe(grantsBefore);

    // Expired and no longer refreshable: the server is reported as needing a new login.
    fixture.expireAccessTokens();
    fixture.revokeRefreshTokens();
    const servers = await runCli(['servers'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(servers.code).toBe(1);
    expect(servers.stdout + servers.stderr).toContain('run `deckhand mcp login vault`');
  });

  it('refuses to log in to a server that is not configured, or not remote', async () => {
    const ws = workspace();
    const missing = await runCli(['mcp', 'login', 'nowhere'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no server 'nowhere'");
    writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['crm'] }));
    const stdio = await runCli(['mcp', 'login', 'crm'], { env: cliEnv(ws.home), cwd: ws.cwd });
    expect(stdio.code).toBe(2);
    expect(stdio.stderr).toContain("'crm' is a stdio server");
  });
});
