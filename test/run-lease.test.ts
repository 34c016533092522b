import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIRequest, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { closeAll, openApi } from './helpers/api-server.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';
import { createScratchDatabase, postgresReachable } from './helpers/postgres.js';

const SLOW_SERVER = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));
const LEASE_MESSAGE = /Run [0-9a-f-]{36} is being executed by process \d+ on host \S+; started \d{4}-\d\d-\d\dT/;

let fake: FakeProvider<OpenAIRequest> | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await closeAll();
  await fake?.close();
  fake = undefined;
});

/**
 * The slow fixture as the only server (waiting has no side effect, so it is marked idempotent: a resumed wait is
 * not asked about); `capMs` caps its waits, for a resume that should finish the interrupted call at once.
 */
function writeConfig(cwd: string, capMs?: number): void {
  const env = { GATE_FILE: join(cwd, 'gate'), ...(capMs === undefined ? {} : { CAP_MS: String(capMs) }) };
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false, mcpServers: { slow: { command: process.execPath, args: [SLOW_SERVER], env, idempotent: true } } }));
}

/** A workspace whose only server is the slow fixture, and the env of its CLI processes. */
function slowWorkspace(extraEnv: Record<string, string> = {}) {
  const ws = freshWorkspace();
  writeConfig(ws.cwd);
  const env = cliEnv(ws.home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake!.url}/v1`, DECKHAND_MODEL: 'openai:gpt-4.1-mini', ...extraEnv });
  // Opening the gate ends the wait in flight, however long it was asked to be.
  return { ...ws, env, fastServer: () => writeConfig(ws.cwd, 10), openGate: () => writeFileSync(join(ws.cwd, 'gate'), '') };
}

/** `deckhand <args>` in the background (its own process group), with its stdout lines as they come. */
function background(args: readonly string[], ws: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.cwd, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (predicate: (events: Array<Record<string, unknown>>) => boolean, what: string) => {
    for (let attempt = 0; attempt < 600; attempt++) {
      const lines = stdout.split('\n').slice(0, -1);
      if (predicate(lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

const slowCall = (ms: number) => ({ toolCalls: [{ name: 'slow__wait', args: { ms } }] });

/** Starts `deckhand run` whose one tool call takes `ms`, and resolves once that call is executing. */
async function executingRun(ws: { cwd: string; env: NodeJS.ProcessEnv }) {
  const run = background(['run', 'Wait a while', '--yes', '--json'], ws);
  await run.waitFor((events) => events.some((event) => event.type === 'tool-call'), 'the tool call');
  const runId = String(
    parseJsonLines(run.output().stdout).find((event) => event.type === 'run-start')!.runId,
  );
  return { ...run, runId };
}

describe('one executor per run (SQLite)', () => {
  // Invariant: while one process executes a run, another `deckhand resume` of it is refused before it does
  // anything (no model call, no event), naming the process, host and start; the run completes exactly once.
  it('a resume while another process executes the run is refused with who holds it; the run finishes once', { timeout: 60_000 }, async () => {
    fake = await startOpenAIFake([slowCall(60_000), { text: 'Waited.' }]);
    const ws = slowWorkspace();
    const first = await executingRun(ws);

    const second = await runCli(['resume', first.runId, '--json'], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
    ws.openGate();
    expect({ code: second.code, stderr: second.stderr }).toMatchObject({ code: 4 });
    expect(second.stderr).toMatch(LEASE_MESSAGE);
    expect(second.stderr).toContain(`by process ${first.child.pid} `);
    expect(second.stdout).toBe('');

    expect(await first.exited).toBe(0);
    expect(first.output().stderr).not.toMatch(/UNIQUE|constraint/i);
    expect(parseJsonLines(first.output().stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Waited.' });
    // Two model calls, both the first process's: the refused resume asked the model nothing.
    expect(fake.requests).toHaveLength(2);
    const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      expect(db.prepare("select count(*) as count from run_events where type = 'run-start'").get()).toEqual({ count: 1 });
      expect(db.prepare("select count(*) as count from run_events where type = 'tool-result'").get()).toEqual({ count: 1 });
      expect(db.prepare('select count(*) as count from run_leases').get()).toEqual({ count: 0 });
    } finally {
      db.close();
    }
  });

  // Invariant: a crashed owner never blocks its run: a killed process's lease is taken over at once on its host.
  it('after kill -9 of the executing process, resume takes the run over at once and finishes it', { timeout: 60_000 }, async () => {
    fake = await startOpenAIFake([slowCall(60_000), { text: 'Done after the crash.' }]);
    const ws = slowWorkspace();
    const first = await executingRun(ws);
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    ws.fastServer();

    const resumed = await runCli(['resume', first.runId, '--json'], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(parseJsonLines(resumed.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Done after the crash.' });
  });

  // Invariant: a holder that stops renewing (frozen, cut off, on another host) loses the lease when it expires.
  it('a frozen owner loses the lease after its time to live and the resume takes over', { timeout: 60_000 }, async () => {
    fake = await startOpenAIFake([slowCall(60_000), { text: 'Taken over.' }]);
    const ws = slowWorkspace({ DECKHAND_RUN_LEASE_TTL_MS: '1000' });
    const first = await executingRun(ws);
    // Stopped, not dead: its process still exists, so only the lease's expiry can free the run.
    process.kill(-first.child.pid!, 'SIGSTOP');
    ws.fastServer();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const resumed = await runCli(['resume', first.runId, '--json'], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
    process.kill(-first.child.pid!, 'SIGKILL');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(parseJsonLines(resumed.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });
  });

  // Invariant: the lease of a process on another host is honoured until it expires (no local liveness check applies).
  it("another host's live lease is refused, its expired one taken over", { timeout: 60_000 }, async () => {
    fake = await startOpenAIFake([slowCall(60_000), { text: 'Recovered.' }]);
    const ws = slowWorkspace();
    const first = await executingRun(ws);
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    ws.fastServer();
    const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { timeout: 10_000 });
    try {
      const started = Date.now();
      db.prepare('update run_leases set host = ?, pid = 4242, started_at = ?, expires_at = ? where run_id = ?').run('worker-7', started, started + 60_000, first.runId);
      const refused = await runCli(['resume', first.runId], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`Run ${first.runId} is being executed by process 4242 on host worker-7; started ${new Date(started).toISOString()}`);
      db.prepare('update run_leases set expires_at = ? where run_id = ?').run(Date.now() - 1, first.runId);
    } finally {
      db.close();
    }
    const resumed = await runCli(['resume', first.runId, '--json'], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
    expect(resumed.code).toBe(0);
    expect(parseJsonLines(resumed.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Recovered.' });
  });

  // Invariant: over the API a refused resume is a 409 with the holder, never a 202 followed by silence.
  it('POST /api/runs/:id/resume answers 409 with the holder while a CLI process executes the run', { timeout: 60_000 }, async () => {
    fake = await startOpenAIFake([slowCall(60_000), { text: 'Waited.' }]);
    const ws = slowWorkspace();
    const first = await executingRun(ws);
    const api = await openApi(ws, fake);
    const response = await api.inject({ method: 'POST', url: `/api/runs/${first.runId}/resume`, payload: {} });
    ws.openGate();
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'RUN_EXECUTING', message: expect.stringMatching(LEASE_MESSAGE) } });
    expect(await first.exited).toBe(0);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('one executor per run (PostgreSQL)', () => {
  let reachable = false;
  let database: { url: string; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    reachable = await postgresReachable();
    if (reachable) database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('a second resume is refused while the first process executes; after kill -9 the run is taken over', { timeout: 90_000 }, async (context) => {
    if (!reachable) context.skip();
    fake = await startOpenAIFake([slowCall(60_000), { text: 'Waited.' }, slowCall(60_000), { text: 'Taken over.' }]);
    const ws = slowWorkspace({ DATABASE_URL: database!.url });
    const first = await executingRun(ws);
    const second = await runCli(['resume', first.runId], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
    ws.openGate();
    expect({ code: second.code, stderr: second.stderr }).toMatchObject({ code: 4 });
    expect(second.stderr).toMatch(LEASE_MESSAGE);
    expect(await first.exited).toBe(0);
    expect(first.output().stderr).not.toMatch(/duplicate key|UNIQUE/i);

    rmSync(join(ws.cwd, 'gate'));
    const third = await executingRun(ws);
    process.kill(-third.child.pid!, 'SIGKILL');
    await third.exited;
    ws.fastServer();
    const resumed = await runCli(['resume', third.runId, '--json'], { env: ws.env, cwd: ws.cwd, timeoutMs: 30_000 });
    expect(resumed.code).toBe(0);
    expect(parseJsonLines(resumed.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Taken over.' });
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>('select count(*) as count from run_leases');
      expect(rows[0]!.count).toBe('0');
    } finally {
      await client.end();
    }
  });
});
