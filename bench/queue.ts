/**
 * @module Section 7: runs through the PostgreSQL queue. Throughput: `RUNS_PER_LEVEL` runs enqueued at once and
 * executed by 1, 2 and 4 workers (each its own pg-boss instance taking one job at a time) on a zero-latency
 * scripted model, runs per second from the first enqueue to the last run-end. Latency: each streamed
 * text-delta from the executing server to a WebSocket on another server instance (its own pool and LISTEN
 * connection, the same clock), event `at` to receipt. Needs the test PostgreSQL (DECKHAND_BENCH_POSTGRES_URL,
 * default postgres://postgres@127.0.0.1:5432/test); skipped when it does not answer.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type Runtime } from '../src/app/runtime.js';
import { buildApiServer } from '../src/http/index.js';
import { RunManager } from '../src/app/run-manager.js';
import type { Model, ModelPart, ModelRequest } from '../src/models/types.js';
import { openScaleOut, RunQueue, type ScaleOutParts } from '../src/queue/index.js';
import { noopLogger } from '../src/shared/logger.js';
import { scratchRuntime } from './fixtures.js';
import type { BenchResources } from './resources.js';
import { summarize, type Summary } from './stats.js';

const ADMIN_URL = process.env.DECKHAND_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS_PER_LEVEL = 40;
const WORKER_LEVELS = [1, 2, 4] as const;
const WORDS_PER_ANSWER = 20;
const LATENCY_RUNS = 20;
const TOKEN = 'bench-token-0123456789';

/** Answers at once, word by word, yielding to the event loop between words as a provider's stream does. */
class ScriptedModel implements Model {
  readonly id = 'scripted:bench';
  readonly provider = 'scripted';
  readonly modelName = 'bench';
  /** 0: zero latency (throughput); the latency part paces words so a socket opened after the start sees them live. */
  wordDelayMs = 0;

  async *stream(_request: ModelRequest): AsyncIterable<ModelPart> {
    for (let index = 0; index < WORDS_PER_ANSWER; index++) {
      await new Promise<void>((resolve) => (this.wordDelayMs > 0 ? setTimeout(resolve, this.wordDelayMs) : setImmediate(resolve)));
      yield { type: 'text-delta', text: `word${index} ` };
    }
    yield { type: 'finish', usage: { inputTokens: 10, outputTokens: WORDS_PER_ANSWER }, finishReason: 'stop' };
  }
}

/** What section 7 reports. */
export interface QueueResult {
  readonly runsPerLevel: number;
  /** Runs per second through the queue, by number of workers. */
  readonly runsPerSecond: Readonly<Record<string, number>>;
  /** Stored text-delta to a WebSocket on another server instance, in ms. */
  readonly eventLatencyMs: Summary;
}

const models = new Map<string, ScriptedModel>();

async function runtimeOn(resources: BenchResources, databaseUrl: string, name: string): Promise<Runtime> {
  const model = new ScriptedModel();
  models.set(name, model);
  return scratchRuntime(resources, `queue-${name}`, model, databaseUrl);
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
  try {
    const executing = await runtimeOn(resources, databaseUrl, 'a');
    const scaleOut: ScaleOutParts = await openScaleOut({ databaseUrl, db: executing.store.db, role: 'bench', logger: noopLogger });
    const runs = new RunManager({ runtime: executing, logger: noopLogger, scaleOut });
    const stopExecuting = resources.adopt(async () => {
      await runs.close();
      await scaleOut.close();
      await executing.close();
    });
    let completed = 0;
    let allDone: (() => void) | undefined;
    const execute = async (job: Parameters<RunManager['executeJob']>[0]) => {
      await runs.executeJob(job);
      completed += 1;
      if (completed === RUNS_PER_LEVEL) allDone?.();
    };
    const runsPerSecond: Record<string, number> = {};
    const enqueueLevel = () =>
      Promise.all(
        Array.from({ length: RUNS_PER_LEVEL }, () =>
          scaleOut.queue.enqueue({ schemaVersion: 1, kind: 'start', runId: randomUUID(), sessionId: randomUUID(), task: 'Say it.', settings: { model: 'scripted:bench', yes: true } }),
        ),
      );
    for (const workers of WORKER_LEVELS) {
      const queues = await Promise.all(Array.from({ length: workers }, (_, index) => RunQueue.open({ databaseUrl, role: `bench-${index}`, supervise: false, register: false })));
      completed = 0;
      const { promise, resolve } = Promise.withResolvers<void>();
      allDone = resolve;
      const started = performance.now();
      await enqueueLevel();
      for (const queue of queues) await queue.work({ concurrency: 1, handler: execute });
      await promise;
      runsPerSecond[String(workers)] = RUNS_PER_LEVEL / ((performance.now() - started) / 1_000);
      await Promise.all(queues.map((queue) => queue.close()));
    }

    // Latency: runs executed by the first instance, streamed by a second one over its own store and feed.
    const other = await runtimeOn(resources, databaseUrl, 'b');
    const otherScaleOut = await openScaleOut({ databaseUrl, db: other.store.db, role: 'bench-api', logger: noopLogger });
    const { app } = await buildApiServer({ runtime: other, token: TOKEN, rateLimitPerMinute: 100_000, scaleOut: otherScaleOut });
    const stopOther = resources.adopt(async () => {
      await app.close();
      await otherScaleOut.close();
      await other.close();
    });
    const worker = await RunQueue.open({ databaseUrl, role: 'bench-latency', supervise: false, register: false });
    await worker.work({ concurrency: 1, handler: (job) => runs.executeJob(job) });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const latencies: number[] = [];
    models.get('a')!.wordDelayMs = 5;
    for (let index = 0; index < LATENCY_RUNS; index++) {
      const runId = randomUUID();
      // The stream refuses an unknown run: enqueue, wait for the run to be stored, then follow it; only events
      // created after the socket opened count (the backlog before is a replay, not fan-out).
      await scaleOut.queue.enqueue({ schemaVersion: 1, kind: 'start', runId, sessionId: randomUUID(), task: 'Stream it.', settings: { model: 'scripted:bench', yes: true } });
      await otherScaleOut.follower.waitForRun(runId, 30_000);
      const socket = new WebSocket(`${address.replace(/^http/, 'ws')}/api/runs/${runId}/stream`, { headers: { authorization: `Bearer ${TOKEN}` } } as never);
      let openedAt = Infinity;
      socket.onopen = () => (openedAt = Date.now());
      await new Promise<void>((resolve, reject) => {
        socket.onerror = () => reject(new Error('bench socket failed'));
        socket.onmessage = (message) => {
          const frame = JSON.parse(String(message.data)) as { type: string; at: number };
          if (frame.type === 'text-delta' && frame.at >= openedAt) latencies.push(Date.now() - frame.at);
          if (frame.type === 'run-end') resolve();
        };
      });
      socket.close();
    }
    await worker.close();
    await stopOther();
    await stopExecuting();
    return { runsPerLevel: RUNS_PER_LEVEL, runsPerSecond, eventLatencyMs: summarize(latencies) };
  } finally {
    await dropDatabase();
  }
}
