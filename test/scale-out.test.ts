import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunQueue } from '../src/queue/run-queue.js';
import { LATEST_MIGRATION } from '../src/store/migrations.js';
import { type OpenAIRequest, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { closeAll, type Frame, openSocket, TEST_TOKEN } from './helpers/api-server.js';
import { CLI, cliEnv, freshWorkspace, runCli } from './helpers/cli.js';
import { createScratchDatabase, postgresReachable } from './helpers/postgres.js';

// Many Deckhand processes on one PostgreSQL (issue 15): real `deckhand serve` and `deckhand worker` processes,
// each with its own data dir, sharing one scratch database, the OpenAI wire fake and one config.

const LEDGER_SERVER = fileURLToPath(new URL('./fixtures/ledger-server.ts', import.meta.url));
const SLOW_SERVER = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));
const TAKE_RUN_JOB = fileURLToPath(new URL('./fixtures/take-run-job.ts', import.meta.url));
const reachable = await postgresReachable();

let fake: FakeProvider<OpenAIRequest> | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  await closeAll();
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await fake?.close();
  fake = undefined;
});

/**
 * A working dir whose config starts the notes server and the ledger fixture (and, with `gated`, the slow fixture,
 * whose waits end when `openGate()` is called), and the env every process gets.
 */
function cluster(databaseUrl: string, extraEnv: Record<string, string> = {}, options: { gated?: boolean } = {}) {
  const { cwd } = freshWorkspace();
  const ledger = join(cwd, 'ledger.txt');
  const gate = join(cwd, 'gate');
  const config = {
    builtinServers: ['notes'],
    mcpServers: {
      ledger: { command: process.execPath, args: [LEDGER_SERVER], idempotent: true, env: { LEDGER_FILE: ledger, DELAY_MS: process.env.SCALE_OUT_DELAY_MS ?? '60000' } },
      ...(options.gated ? { slow: { command: process.execPath, args: [SLOW_SERVER], idempotent: true, env: { GATE_FILE: gate } } } : {}),
    },
  };
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify(config));
  const env = (name: string) =>
    cliEnv(join(cwd, `home-${name}`), {
      DATABASE_URL: databaseUrl,
      DECKHAND_TOKEN: TEST_TOKEN,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${fake!.url}/v1`,
      DECKHAND_MODEL: 'openai:gpt-4.1-mini',
      DECKHAND_RUN_LEASE_TTL_MS: '1000',
      DECKHAND_SHUTDOWN_GRACE_MS: '0',
      ...extraEnv,
    });
  const ledgerLines = () => (existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean) : []);
  return { cwd, env, ledgerLines, openGate: () => writeFileSync(gate, '') };
}

/** `deckhand <args>` as a real process in its own group; resolves once its stderr matches `ready`. */
async function start(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp }) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let stderr = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`deckhand ${args[0]} did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = options.ready.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.on('exit', (code) => reject(new Error(`deckhand ${args[0]} exited ${code}: ${stderr}`)));
  });
  return { child, match, stderr: () => stderr };
}

async function serve(name: string, ws: ReturnType<typeof cluster>, args: string[] = []) {
  const { child, match } = await start(['serve', '--port', '0', ...args], { cwd: ws.cwd, env: ws.env(name), ready: /Open (http:\/\/[^/\s]+)/ });
  const base = match[1]!;
  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return { child, base, ws: base.replace(/^http/, 'ws'), request };
}

/** Polls `read` (bounded: 60 s) until `done` says its value will do. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, explain?: () => Promise<string>): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${explain ? `: ${await explain()}` : ''}`);
}

const eventTypes = (frames: readonly Frame[]) => frames.filter((frame) => typeof frame.runId === 'string').map((frame) => frame.type);

describe.skipIf(!reachable)('many processes on one PostgreSQL', () => {
  // Each test its own scratch database: no job or lease of one test is seen by the next.
  let database: { url: string; drop: () => Promise<void> };
  let client: pg.Client;
  beforeEach(async () => {
    database = await createScratchDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterEach(async () => {
    await client?.end();
    // The processes go first, or the drop waits for their connections.
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    await database?.drop();
  });

  const storedEvents = async (runId: string) =>
    (await client.query<{ seq: number; type: string }>('select seq, type from run_events where run_id = $1 order by seq', [runId])).rows;

  // Invariant: a run is followed live from any process, and decided from any process; session ids are the same everywhere.
  it('a run started on A streams on B; the approval resolved on C resumes it; the answer arrives on B', { timeout: 120_000 }, async () => {
    const note = 'Parcel reported lost by the customer.';
    const turns: FakeTurn[] = [
      { text: 'I will note it.', toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: note, author: 'deckhand' } }] },
      { text: 'Noted on XYZ-789.' },
    ];
    fake = await startOpenAIFake(turns);
    const ws = cluster(database.url);
    // B takes no runs itself, so what it streams always executes elsewhere.
    const [a, b, c] = await Promise.all([serve('a', ws), serve('b', ws, ['--concurrency', '0']), serve('c', ws)]);

    const started = await a.request('POST', '/api/runs', { task: 'Lisa Park says XYZ-789 never arrived; note it on the order.' });
    expect(started.status).toBe(202);
    const { runId, sessionId } = started.json as { runId: string; sessionId: string };
    const runStream = await openSocket(`${b.ws}/api/runs/${runId}/stream`);
    const chat = await openSocket(`${b.ws}/ws/chat?sessionId=${sessionId}`);
    const request = await runStream.next((frame) => frame.type === 'approval-request');
    await chat.next((frame) => frame.type === 'run-end' && frame.outcome === 'paused');
    // The lease is given back just after the run-end is stored.
    const paused = await until(async () => (await b.request('GET', `/api/runs/${runId}`)).json, (run) => run.executing === false, 'the paused run to let go');
    expect(paused).toMatchObject({ status: 'paused', pendingApprovals: [request.approvalId] });

    const onC = await openSocket(`${c.ws}/ws/chat?sessionId=${sessionId}`);
    await onC.next((frame) => frame.type === 'ready');
    const decided = await c.request('POST', `/api/approvals/${String(request.approvalId)}/approve`, { resume: true });
    expect(decided.status).toBe(200);
    expect(decided.json).toMatchObject({ resumed: true });
    // The card resolves on B, though the decision was made on C; and once on C, the deciding process.
    for (const socket of [chat, onC]) {
      const resolved = await socket.next((frame) => frame.type === 'approval-resolved');
      expect(resolved.approval).toMatchObject({ id: request.approvalId, status: 'approved' });
    }

    const end = await chat.next((frame) => frame.type === 'run-end' && frame.outcome === 'finished');
    expect(end.text).toBe('Noted on XYZ-789.');
    await runStream.next((frame) => frame.type === 'run-end' && frame.outcome === 'finished');

    // B's two sockets saw every stored event once, in stored order; the chat ids are 1, 2, 3, … on any process.
    const stored = await storedEvents(runId);
    expect(eventTypes(runStream.frames)).toEqual(stored.map((row) => row.type));
    expect(eventTypes(chat.frames)).toEqual(stored.map((row) => row.type));
    const ids = chat.frames.filter((frame) => typeof frame.id === 'number').map((frame) => frame.id);
    expect(ids).toEqual(stored.map((_row, index) => index + 1));
    const fromA = await openSocket(`${a.ws}/ws/chat?sessionId=${sessionId}&lastEventId=2`);
    await fromA.next((frame) => frame.type === 'ready');
    expect(fromA.frames.filter((frame) => typeof frame.id === 'number').map((frame) => [frame.id, frame.type])).toEqual(
      chat.frames.filter((frame) => typeof frame.id === 'number' && frame.id > 2).map((frame) => [frame.id, frame.type]),
    );
    for (const socket of [chat, onC]) expect(socket.frames.filter((frame) => frame.type === 'approval-resolved')).toHaveLength(1);
    const notes = await client.query("select count(*)::int as count from notes where text = $1", [note]);
    expect(notes.rows[0].count).toBe(1);
    expect(fake.requests).toHaveLength(2);
  });

  // Invariant: a process killed mid tool call loses nothing: another takes the run over once the lease expires,
  // the side effect is not repeated (the ledger honours keys, so the in-doubt call is replayed with the same key
  // without asking) and no event is lost or doubled.
  it('kill -9 of the executing worker mid tool step: another worker finishes the run, the payment is recorded once', { timeout: 120_000 }, async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'ledger__record_payment', args: { payee: 'Lisa Park', amount: 42 } }] },
      { text: 'Refunded 42 to Lisa Park.' },
    ]);
    const ws = cluster(database.url);
    const api = await serve('api', ws, ['--concurrency', '0']);
    const first = await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w1'), ready: /Deckhand worker on/ });

    const started = await api.request('POST', '/api/runs', { task: 'Refund Lisa Park 42.', yes: true });
    const { runId } = started.json as { runId: string };
    const stream = await openSocket(`${api.ws}/api/runs/${runId}/stream`);
    await stream.next((frame) => frame.type === 'tool-call');
    // The payment is made; the worker is inside the call (the fixture answers after a minute) when it dies.
    await until(async () => ws.ledgerLines(), (lines) => lines.length === 1, 'the payment');
    process.kill(-first.child.pid!, 'SIGKILL');

    await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w2'), ready: /Deckhand worker on/ });
    const end = await stream.next((frame) => frame.type === 'run-end');
    expect(end).toMatchObject({ outcome: 'finished', text: 'Refunded 42 to Lisa Park.' });
    expect(ws.ledgerLines()).toEqual(['Lisa Park 42']);

    const stored = await storedEvents(runId);
    expect(stored.map((row) => row.seq)).toEqual(stored.map((_row, index) => index + 1));
    expect(stored.filter((row) => row.type === 'run-end')).toHaveLength(1);
    expect(eventTypes(stream.frames)).toEqual(stored.map((row) => row.type));
    // The model was asked twice in all: the replayed call came from the checkpoint, not from a new model turn.
    expect(fake.requests).toHaveLength(2);
    // The dead worker's job is not left counted as running: the sweeper settled it when it queued the resume.
    const jobStates = async () =>
      (await client.query<{ state: string }>("select state::text as state from deckhand_queue.job where data->>'runId' = $1 order by created_on", [runId])).rows.map((row) => row.state);
    expect(await until(jobStates, (states) => !states.includes('active'), 'the jobs to settle')).toEqual(['completed', 'completed']);
    // Given back just after the run-end is stored.
    await until(async () => (await client.query('select count(*)::int as count from run_leases where run_id = $1', [runId])).rows[0].count, (count) => count === 0, 'the lease');
  });

  // Invariant: no interrupted run is left behind. When a newer run takes the session of a run whose executor was
  // killed (its claim lapsed with its lease) before any sweeper saw it, the sweeper's resume is refused
  // SESSION_BUSY; it is queued again behind the newer run, and finishes once that one ends, paying once.
  it('kill -9, then a newer run takes the session: the interrupted run is resumed once the session is free', { timeout: 150_000 }, async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'ledger__record_payment', args: { payee: 'Lisa Park', amount: 42 } }] },
      { toolCalls: [{ name: 'slow__wait', args: { ms: 60_000 } }] },
      { text: 'Waited.' },
      { text: 'Refunded 42 to Lisa Park.' },
    ]);
    const ws = cluster(database.url, { DECKHAND_LOG_LEVEL: 'info' }, { gated: true });
    const sessionId = crypto.randomUUID();
    const interrupted = crypto.randomUUID();
    const first = await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w1'), ready: /Deckhand worker on/ });
    const queue = await RunQueue.open({ databaseUrl: database.url, role: 'test', supervise: false, register: false });
    try {
      await queue.enqueue({ schemaVersion: 1, kind: 'start', runId: interrupted, sessionId, task: 'Refund Lisa Park 42.', settings: { model: 'openai:gpt-4.1-mini', yes: true } });
    } finally {
      await queue.close();
    }
    // The payment is made; the worker is inside the call when it dies, and no other process sweeps yet.
    await until(async () => ws.ledgerLines(), (lines) => lines.length === 1, 'the payment');
    process.kill(-first.child.pid!, 'SIGKILL');
    const expired = async () => (await client.query('select count(*)::int as count from run_leases where run_id = $1 and expires_at < $2', [interrupted, Date.now()])).rows[0].count;
    await until(expired, (count) => count === 1, 'the dead worker\'s lease to expire');

    // A newer run takes the free session (the CLI executes it in its own process) and holds it in a gated call.
    const newer = spawn(process.execPath, [CLI, 'run', '--session', sessionId, '--yes', '--json', 'Wait for the gate.'], { cwd: ws.cwd, env: ws.env('cli'), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(newer);
    let newerOut = '';
    newer.stdout!.on('data', (chunk: Buffer) => (newerOut += chunk.toString()));
    const newerExit = new Promise<number | null>((resolve) => newer.on('close', resolve));
    await until(async () => newerOut, (out) => out.includes('"tool-call"'), 'the newer run\'s gated call');

    // The next worker's sweeper queues the interrupted run's resume; refused SESSION_BUSY, it is queued again, held back.
    const second = await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w2'), ready: /Deckhand worker on/ });
    const jobs = async () =>
      (await client.query<{ kind: string; state: string; held: boolean }>(
        "select data->>'kind' as kind, state::text as state, start_after > now() as held from deckhand_queue.job where data->>'runId' = $1 order by created_on",
        [interrupted],
      )).rows;
    const behind = await until(jobs, (rows) => rows.filter((row) => row.kind === 'resume').length >= 2, 'the resume to be queued behind the newer run', async () => JSON.stringify(await jobs()) + second.stderr());
    expect(behind.filter((row) => row.kind === 'resume')[0]).toMatchObject({ state: 'completed' });
    expect((await client.query('select status from runs where id = $1', [interrupted])).rows[0].status).toBe('running');

    ws.openGate();
    expect(await newerExit).toBe(0);
    const status = async () => (await client.query<{ status: string; final_text: string | null }>('select status, final_text from runs where id = $1', [interrupted])).rows[0];
    const done = await until(status, (row) => row?.status === 'finished', 'the interrupted run to finish', async () => JSON.stringify(await jobs()));
    expect(done).toMatchObject({ final_text: 'Refunded 42 to Lisa Park.' });
    expect(ws.ledgerLines()).toEqual(['Lisa Park 42']);
    const stored = await storedEvents(interrupted);
    expect(stored.map((row) => row.seq)).toEqual(stored.map((_row, index) => index + 1));
    expect(stored.filter((row) => row.type === 'run-end')).toHaveLength(1);
    expect(fake.requests).toHaveLength(4);
    await until(jobs, (rows) => rows.every((row) => row.state === 'completed'), 'every job of the run to complete');
  });

  // Invariant: a start job whose taker dies before the run has a lease (so the sweeper cannot see it) is retried
  // once its heartbeat stops, within about 20 s, not after its hour of expiry; the run executes once.
  it('a taker killed -9 right after taking a start job: the job is retried on its stopped heartbeat and the run executes once', { timeout: 120_000 }, async () => {
    fake = await startOpenAIFake([{ text: 'Done.' }]);
    const ws = cluster(database.url);
    const queue = await RunQueue.open({ databaseUrl: database.url, role: 'test', supervise: false, register: false });
    const runId = crypto.randomUUID();
    try {
      await queue.enqueue({ schemaVersion: 1, kind: 'start', runId, sessionId: crypto.randomUUID(), task: 'Say done.', settings: { model: 'openai:gpt-4.1-mini', yes: true } });
    } finally {
      await queue.close();
    }
    const taker = spawn(process.execPath, [TAKE_RUN_JOB], { env: { PATH: process.env.PATH, DATABASE_URL: database.url }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(taker);
    await new Promise<void>((resolve, reject) => {
      taker.stdout!.once('data', () => resolve());
      taker.once('exit', (code) => reject(new Error(`the taker exited ${code}`)));
    });
    process.kill(-taker.pid!, 'SIGKILL');
    const jobStates = async () =>
      (await client.query<{ state: string }>("select state::text as state from deckhand_queue.job where data->>'runId' = $1", [runId])).rows.map((row) => row.state);
    // Taken and never started: active, with no run (no host table even) and no lease for the sweeper to find.
    expect(await jobStates()).toEqual(['active']);

    await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w1'), ready: /Deckhand worker on/ });
    const status = async () => (await client.query<{ status: string }>('select status from runs where id = $1', [runId])).rows[0]?.status;
    expect(await until(status, (value) => value === 'finished', 'the run to be executed by the live worker', async () => JSON.stringify(await jobStates()))).toBe('finished');
    expect((await storedEvents(runId)).filter((row) => row.type === 'run-start')).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
    expect(await until(jobStates, (states) => states.length === 1 && states[0] === 'completed', 'the job to complete')).toEqual(['completed']);
  });

  // Invariant: a worker shut down (SIGTERM) mid-run checkpoints it and queues it again, so `run --queue` keeps
  // following it to its end on the next worker instead of exiting 130 at the cancelled hand-over.
  it('run --queue follows its run to the end when the worker executing it is shut down', { timeout: 150_000 }, async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'ledger__record_payment', args: { payee: 'Lisa Park', amount: 42 } }] },
      { text: 'Refunded 42 to Lisa Park.' },
    ]);
    const ws = cluster(database.url);
    const first = await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w1'), ready: /Deckhand worker on/ });
    const following = runCli(['run', '--queue', '--yes', 'Refund Lisa Park 42.'], { env: ws.env('cli'), cwd: ws.cwd, timeoutMs: 120_000 });
    // The payment is made; the worker is inside the call (the fixture answers after a minute) when it is stopped.
    await until(async () => ws.ledgerLines(), (lines) => lines.length === 1, 'the payment');
    const stopped = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
    process.kill(first.child.pid!, 'SIGTERM');
    expect(await stopped).toBe(0);

    await start(['worker', '--concurrency', '1'], { cwd: ws.cwd, env: ws.env('w2'), ready: /Deckhand worker on/ });
    const result = await following;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('queued the run again');
    expect(result.stdout).toContain('Refunded 42 to Lisa Park.');
    expect(ws.ledgerLines()).toEqual(['Lisa Park 42']);
    const runs = await client.query<{ status: string }>('select status from runs');
    expect(runs.rows).toEqual([{ status: 'finished' }]);
  });

  // Invariant: one run per session at a time, at the database: two starts on one session at the same instant on
  // two processes give one run and one SESSION_BUSY, the single-process path's 409; run --queue is refused too.
  it('two runs started on one session at once on two processes: one starts, the other is refused SESSION_BUSY', { timeout: 120_000 }, async () => {
    fake = await startOpenAIFake([
      { text: 'Lisa Park has one open order.' },
      { toolCalls: [{ name: 'ledger__record_payment', args: { payee: 'Lisa Park', amount: 42 } }] },
      { text: 'Refunded 42 to Lisa Park.' },
    ]);
    const ws = cluster(database.url);
    const [a, b] = await Promise.all([serve('a', ws), serve('b', ws)]);
    const first = await a.request('POST', '/api/runs', { task: 'How many open orders has Lisa Park?' });
    const { runId: firstRun, sessionId } = first.json as { runId: string; sessionId: string };
    await until(async () => (await a.request('GET', `/api/runs/${firstRun}`)).json, (run) => run.status === 'finished' && run.executing === false, 'the first run to end');
    // The payment call takes a minute, so the winner still executes when the loser asks.
    const answers = await Promise.all([a, b].map((server) => server.request('POST', `/api/sessions/${sessionId}/runs`, { task: 'Refund Lisa Park 42.', yes: true })));
    const started = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const winner = (started[0]!.json as { runId: string }).runId;
    expect(refused[0]!.json).toEqual({
      error: { code: 'SESSION_BUSY', message: `Session ${sessionId} has run ${winner} executing; wait for it to end (follow /api/runs/${winner}/stream).` },
    });
    // The CLI's queued start on the same session is refused the same way, before anything is queued.
    const cli = await runCli(['run', '--queue', '--yes', '--session', sessionId, 'Refund Lisa Park 42 again.'], { env: ws.env('cli'), cwd: ws.cwd, timeoutMs: 60_000 });
    expect(cli.code).toBe(4);
    expect(cli.stderr).toContain(`Session ${sessionId} has run ${winner} executing`);
    const runs = await client.query<{ id: string }>('select id from runs where session_id = $1 order by started_at', [sessionId]);
    expect(runs.rows).toEqual([{ id: firstRun }, { id: winner }]);
    await until(async () => ws.ledgerLines(), (lines) => lines.length === 1, 'the payment');
  });

  // Invariant: a job goes to exactly one worker, however many take jobs at once.
  it('50 runs enqueued at once over 3 workers: each executes exactly once', { timeout: 180_000 }, async () => {
    const runs = 50;
    fake = await startOpenAIFake(Array.from({ length: runs }, () => ({ text: 'Done.' })));
    const ws = cluster(database.url);
    await Promise.all(['q1', 'q2', 'q3'].map((name) => start(['worker', '--concurrency', '2'], { cwd: ws.cwd, env: ws.env(name), ready: /Deckhand worker on/ })));
    const queue = await RunQueue.open({ databaseUrl: database.url, role: 'test', supervise: false, register: false });
    const ids = Array.from({ length: runs }, () => crypto.randomUUID());
    try {
      await Promise.all(
        ids.map((runId) =>
          queue.enqueue({ schemaVersion: 1, kind: 'start', runId, sessionId: crypto.randomUUID(), task: 'Say done.', settings: { model: 'openai:gpt-4.1-mini', yes: true } }),
        ),
      );
      const finished = await until(
        async () => (await client.query<{ count: number }>("select count(*)::int as count from runs where id = any($1) and status = 'finished'", [ids])).rows[0]!.count,
        (count) => count === runs,
        'the 50 runs',
        async () => JSON.stringify((await client.query('select status, count(*)::int from runs where id = any($1) group by status', [ids])).rows) + JSON.stringify(await queue.counts()),
      );
      expect(finished).toBe(runs);
      const starts = await client.query<{ run_id: string; count: number }>(
        "select run_id, count(*)::int as count from run_events where run_id = any($1) and type in ('run-start', 'run-end') group by run_id",
        [ids],
      );
      expect(starts.rows).toHaveLength(runs);
      expect(starts.rows.every((row) => row.count === 2)).toBe(true);
      expect(fake.requests).toHaveLength(runs);
      await until(() => queue.counts(), (counts) => counts.running === 0, 'the jobs to complete');
      expect(await queue.counts()).toEqual({ waiting: 0, running: 0, failed: 0 });
      // doctor reports the queue and the three workers taking from it.
      const doctor = await runCli(['doctor', '--json'], { env: ws.env('doctor'), cwd: ws.cwd, timeoutMs: 60_000 });
      const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
      expect(checks.find((entry) => entry.name === 'queue')).toMatchObject({ ok: true, detail: '0 waiting, 0 running, 0 failed' });
      expect(checks.find((entry) => entry.name === 'workers')?.detail).toMatch(/^3 processes registered: deckhand worker .*; 0 runs executing now$/);
    } finally {
      await queue.close();
    }
  });

  // Invariant: with DATABASE_URL the store is PostgreSQL only; doctor neither opens nor creates the SQLite file.
  it('doctor on PostgreSQL checks the PostgreSQL store and leaves no SQLite file behind', { timeout: 90_000 }, async () => {
    const { home, cwd } = freshWorkspace();
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['notes'] }));
    const doctor = await runCli(['doctor', '--json'], { env: cliEnv(home, { DATABASE_URL: database.url, DECKHAND_MODEL: 'offline' }), cwd, timeoutMs: 60_000 });
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
    const store = checks.find((entry) => entry.name === 'store');
    expect(store?.ok).toBe(true);
    const url = new URL(database.url);
    expect(store?.detail).toBe(`postgres://${url.username}@${url.host}${url.pathname} (schema ${LATEST_MIGRATION})`);
    expect(existsSync(join(home, 'deckhand.db'))).toBe(false);
    // The store check migrated the scratch database: the host's tables are there.
    expect((await client.query("select count(*)::int as count from information_schema.tables where table_name = 'runs'")).rows[0].count).toBe(1);
  });
});

describe('the queue on SQLite', () => {
  // Invariant: SQLite (the default) has no queue; asking for one is bad usage with one sentence, before anything starts.
  it('deckhand worker and deckhand run --queue exit 2 with one sentence naming DATABASE_URL', async () => {
    const { home, cwd } = freshWorkspace();
    for (const args of [['worker'], ['run', '--queue', 'Say hello.']]) {
      const result = await runCli(args, { env: cliEnv(home, { DECKHAND_MODEL: 'offline' }), cwd });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/needs the PostgreSQL store: set DATABASE_URL=postgres:\/\/.*With SQLite \(the default\) there is no queue/);
    }
  });
});
