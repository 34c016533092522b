/**
 * @module Section 7: runs through the PostgreSQL queue, every worker its own OS process, as in production.
 * Throughput: `RUNS_PER_LEVEL` runs enqueued at once and executed by 1, 2 and 4 `deckhand worker --concurrency 1`
 * processes (each its own runtime, store pool and pg-boss) against a Chat Completions fake on 127.0.0.1 that
 * answers at once (a zero-latency model: 20 words in one body); runs per second from the first enqueue to the last
 * run's stored end. Latency: runs executed by a worker process and followed on the WebSocket of a
 * `deckhand serve --concurrency 0` process (which executes nothing), each text-delta's `at` (the worker's clock)
 * to its receipt here (one host, one clock). Needs the test PostgreSQL (DECKHAND_BENCH_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test); skipped when it does not answer. Every process is bounded in time and
 * ended by its pid (SIGTERM, then SIGKILL), on failure too.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { RunQueue } from '../src/queue/index.js';
import { startWordStreamOpenAI } from './fake-openai.js';
import { repoFile } from './fixtures.js';
import type { BenchResources } from './resources.js';
import { summarize, type Summary } from './stats.js';

const ADMIN_URL = process.env.DECKHAND_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS_PER_LEVEL = 40;
const WORKER_LEVELS = [1, 2, 4] as const;
const WORDS_PER_ANSWER = 20;
const LATENCY_RUNS = 20;
/** The latency part paces words so a socket opened after the run starts sees them live. */
const LATENCY_WORD_DELAY_MS = 5;
const TOKEN = 'bench-token-0123456789';
const MODEL = 'openai-chat:gpt-4.1-mini';
/** Bounds: a process that is not ready, a level that does not drain, a run that does not stream. */
const READY_TIMEOUT_MS = 60_000;
const LEVEL_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 30_000;

/** What section 7 reports. */
export interface QueueResult {
  readonly runsPerLevel: number;
  /** Runs per second through the queue, by number of worker processes. */
  readonly runsPerSecond: Readonly<Record<string, number>>;
  /** Stored text-delta (on the executing worker process) to a WebSocket on a serve process, in ms. */
  readonly eventLatencyMs: Summary;
}

/** Polls `read` every `everyMs` until `done` accepts its value; throws naming `what` after `timeoutMs`. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, options: { everyMs: number; timeoutMs: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`bench queue: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
}

/** Runs section 7 on a scratch database; undefined when PostgreSQL does not answer. */
export async function benchQueue(resources: BenchResources): Promise<QueueResult | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 1_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `deckhand_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dropDatabase = resources.adopt(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const children = new Set<ChildProcess>();
  // Closed in order on the way out, failure or not: the processes, then this side's connections, then the database.
  const closers: Array<() => Promise<unknown>> = [() => Promise.all([...children].map((child) => resources.end(child)))];
  const closeAll = async () => {
    for (const close of closers.splice(0)) await close().catch(() => {});
  };
  try {
    const fake = await startWordStreamOpenAI({ words: WORDS_PER_ANSWER });
    closers.push(resources.adopt(() => fake.close()));
    // No servers: what is measured is the queue, the store and the model's stream, not MCP.
    const cwd = resources.tempDir('queue-cwd');
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false }));
    const bin = repoFile('bin', 'deckhand.js');

    /** `deckhand <args>` as its own process, resolved once its stderr matches `ready` (bounded). */
    const launch = async (label: string, args: readonly string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> => {
      const env = {
        PATH: process.env.PATH ?? '',
        DECKHAND_HOME: resources.tempDir(`queue-${label}`),
        DATABASE_URL: databaseUrl,
        DECKHAND_TOKEN: TOKEN,
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: fake.baseUrl,
        DECKHAND_MODEL: MODEL,
        DECKHAND_LOG_LEVEL: 'silent',
      };
      const child = resources.spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      let stderr = '';
      const match = await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench queue: deckhand ${args[0]} not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const found = ready.exec(stderr);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`bench queue: deckhand ${args[0]} exited ${code}: ${stderr}`));
        });
      });
      return { child, match };
    };
    const worker = (label: string) => launch(label, ['worker', '--concurrency', '1'], /Deckhand worker on/);

    // pg-boss's schema is installed here first, so the workers only open it.
    const queue = await RunQueue.open({ databaseUrl, role: 'bench', supervise: false, register: false });
    closers.splice(1, 0, resources.adopt(() => queue.close()));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    closers.splice(1, 0, resources.adopt(() => db.end()));
    const start = (runId: string, task: string) =>
      queue.enqueue({ schemaVersion: 1, kind: 'start', runId, sessionId: randomUUID(), task, settings: { model: MODEL, yes: true } });

    const runsPerSecond: Record<string, number> = {};
    for (const workers of WORKER_LEVELS) {
      const level = await Promise.all(Array.from({ length: workers }, (_, index) => worker(`w${workers}-${index}`)));
      const ids = Array.from({ length: RUNS_PER_LEVEL }, () => randomUUID());
      const started = Date.now();
      await Promise.all(ids.map((runId) => start(runId, 'Say it.')));
      const ended = await until(
        async () => (await db.query<{ ended_at: string }>("select ended_at from runs where id = any($1) and status = 'finished'", [ids])).rows,
        (rows) => rows.length === RUNS_PER_LEVEL,
        `${RUNS_PER_LEVEL} runs on ${workers} worker processes`,
        { everyMs: 20, timeoutMs: LEVEL_TIMEOUT_MS },
      );
      // The last run's stored end, on the worker's clock (this host's): the poll's own pace does not count.
      const last = Math.max(...ended.map((row) => Date.parse(row.ended_at)));
      runsPerSecond[String(workers)] = RUNS_PER_LEVEL / ((last - started) / 1_000);
      await Promise.all(level.map(({ child }) => resources.end(child)));
    }

    // Latency: executed by a worker process, streamed by a serve process that executes nothing.
    fake.wordDelayMs = LATENCY_WORD_DELAY_MS;
    await worker('latency-worker');
    const { match } = await launch('latency-serve', ['serve', '--port', '0', '--concurrency', '0'], /Open (http:\/\/[^/\s]+)/);
    const base = match[1]!.replace(/^http/, 'ws');
    const latencies: number[] = [];
    for (let index = 0; index < LATENCY_RUNS; index++) {
      const runId = randomUUID();
      // The stream refuses an unknown run: enqueue, wait for the run to be stored, then follow it; only events
      // created after the socket opened count (the backlog before is a replay, not fan-out).
      await start(runId, 'Stream it.');
      await until(async () => (await db.query('select 1 from runs where id = $1', [runId])).rowCount, (count) => count === 1, `run ${runId} to be stored`, {
        everyMs: 5,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      const socket = new WebSocket(`${base}/api/runs/${runId}/stream`, { headers: { authorization: `Bearer ${TOKEN}` } } as never);
      let openedAt = Infinity;
      socket.onopen = () => (openedAt = Date.now());
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`bench queue: run ${runId} did not end on the stream within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
          socket.onerror = () => reject(new Error('bench queue: the stream socket failed'));
          socket.onmessage = (message) => {
            const frame = JSON.parse(String(message.data)) as { type: string; at: number };
            if (frame.type === 'text-delta' && frame.at >= openedAt) latencies.push(Date.now() - frame.at);
            if (frame.type === 'run-end') {
              clearTimeout(timer);
              resolve();
            }
          };
        });
      } finally {
        socket.close();
      }
    }
    return { runsPerLevel: RUNS_PER_LEVEL, runsPerSecond, eventLatencyMs: summarize(latencies) };
  } finally {
    await closeAll();
    await dropDatabase();
  }
}
