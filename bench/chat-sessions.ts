/**
 * @module Section 5: `/ws/chat` under load. N concurrent sessions, each a WebSocket client sending one message
 * to `deckhand serve`'s app on 127.0.0.1, answered by a scripted model that streams its answer in word-sized
 * deltas; the fan-out latency of each text delta is the time from the event's creation in the loop to its
 * arrival at the client. The clients run in a worker thread, so the server's heap is measured alone (memory per
 * idle subscribed session). N grows until the p99 passes the target (bounded: 127.0.0.1 only, at most MAX_SESSIONS).
 */
import { Worker } from 'node:worker_threads';
import { buildApiServer } from '../src/http/index.js';
import type { Model, ModelPart, ModelRequest } from '../src/models/types.js';
import { scratchRuntime } from './fixtures.js';
import type { BenchResources } from './resources.js';
import { summarize, type Summary } from './stats.js';

/** The fan-out target: p99 of a text delta from the loop to a client. */
export const TARGET_FANOUT_P99_MS = 50;
const SESSION_STEPS = [10, 25, 50, 100, 200, 400] as const;
const MAX_SESSIONS = SESSION_STEPS.at(-1)!;
const WORDS_PER_ANSWER = 60;
const IDLE_SESSIONS = 100;
const ACTIVE_RUNS = 50;
const TOKEN = 'bench-token-0123456789abcdef';

/**
 * Streams a fixed answer word by word, yielding to the event loop between words as a provider's stream does.
 * While held, each stream stops halfway through its answer until released: runs caught mid-answer, for the
 * memory an active run keeps.
 */
class StreamingScriptedModel implements Model {
  readonly id = 'scripted:bench';
  readonly provider = 'scripted';
  readonly modelName = 'bench';
  private readonly words = Array.from({ length: WORDS_PER_ANSWER }, (_, index) => `word${index} `);
  private gate: { readonly released: Promise<void>; readonly release: () => void; readonly expected: number; readonly allWaiting: () => void } | undefined;
  private waiting = 0;

  /** Holds the next `count` streams halfway; resolves once all of them wait there. */
  hold(count: number): Promise<void> {
    return new Promise((allWaiting) => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      this.waiting = 0;
      this.gate = { released, release, expected: count, allWaiting };
    });
  }

  release(): void {
    this.gate?.release();
    this.gate = undefined;
  }

  async *stream(_request: ModelRequest): AsyncIterable<ModelPart> {
    const gate = this.gate;
    for (const [index, text] of this.words.entries()) {
      if (gate && index === WORDS_PER_ANSWER / 2) {
        this.waiting += 1;
        if (this.waiting === gate.expected) gate.allWaiting();
        await gate.released;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      yield { type: 'text-delta', text };
    }
    yield { type: 'finish', usage: { inputTokens: 100, outputTokens: WORDS_PER_ANSWER }, finishReason: 'stop' };
  }
}

/** The clients: plain JS for a worker thread (Node's global WebSocket), reporting latencies in ms. */
const CLIENT_WORKER = `
const { parentPort } = require('node:worker_threads');
const open = [];
parentPort.on('message', async (command) => {
  if (command.type === 'chat') {
    const latencies = [];
    const sessionIds = [];
    await Promise.all(Array.from({ length: command.sessions }, () => new Promise((resolve, reject) => {
      const socket = new WebSocket(command.url, { headers: { authorization: 'Bearer ' + command.token } });
      socket.onopen = () => socket.send(JSON.stringify({ type: 'message', text: 'Stream me an answer.' }));
      socket.onerror = () => reject(new Error('socket failed'));
      socket.onmessage = (message) => {
        const frame = JSON.parse(message.data);
        if (frame.type === 'text-delta') latencies.push(Date.now() - frame.at);
        if (frame.type === 'run-end') { sessionIds.push(frame.sessionId); socket.close(); resolve(); }
      };
    })));
    parentPort.postMessage({ latencies, sessionIds });
  } else if (command.type === 'idle') {
    await Promise.all(command.sessionIds.map((sessionId) => new Promise((resolve, reject) => {
      const socket = new WebSocket(command.url + '?sessionId=' + sessionId + '&lastEventId=1000000', { headers: { authorization: 'Bearer ' + command.token } });
      socket.onerror = () => reject(new Error('socket failed'));
      socket.onmessage = (message) => { if (JSON.parse(message.data).type === 'ready') resolve(); };
      open.push(socket);
    })));
    parentPort.postMessage({ open: open.length });
  } else if (command.type === 'close') {
    for (const socket of open.splice(0)) socket.close();
    parentPort.postMessage({ closed: true });
  }
});
`;

/** One load level. */
export interface ChatLevel {
  readonly sessions: number;
  readonly deltas: number;
  readonly fanoutMs: Summary;
  readonly wallSeconds: number;
  readonly withinTarget: boolean;
}

/** What section 5 reports. */
export interface ChatSessionsResult {
  readonly wordsPerAnswer: number;
  readonly levels: readonly ChatLevel[];
  /** The most concurrent sessions whose fan-out p99 stayed under the target (0 when even the first level missed). */
  readonly maxSessionsUnderTarget: number;
  readonly targetP99Ms: number;
  readonly idleSessions: number;
  /** Server heap per idle subscribed session (after GC), in bytes. */
  readonly heapPerIdleSessionBytes: number;
  readonly activeRuns: number;
  /** Server heap per run caught mid-answer (its loop, recorder, transcript and chat socket; after GC), in bytes. */
  readonly heapPerActiveRunBytes: number;
}

function ask<T>(worker: Worker, command: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(command);
  });
}

function heapAfterGc(): number {
  for (let round = 0; round < 3; round += 1) globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** Runs section 5 against an in-process server over a temp store with no MCP servers. */
export async function benchChatSessions(resources: BenchResources): Promise<ChatSessionsResult> {
  const model = new StreamingScriptedModel();
  const runtime = await scratchRuntime(resources, 'chat', model);
  const { app } = await buildApiServer({ runtime, token: TOKEN, rateLimitPerMinute: 100_000 });
  const stopServer = resources.adopt(async () => {
    await app.close();
    await runtime.close();
  });
  const worker = new Worker(CLIENT_WORKER, { eval: true });
  const stopWorker = resources.adopt(async () => void (await worker.terminate()));
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `${address.replace(/^http/, 'ws')}/ws/chat`;
    const levels: ChatLevel[] = [];
    // Warm-up (JIT, the store's first writes), not counted.
    let sessionIds = (await ask<{ sessionIds: string[] }>(worker, { type: 'chat', url, token: TOKEN, sessions: SESSION_STEPS[0] })).sessionIds;
    for (const sessions of SESSION_STEPS) {
      const started = performance.now();
      const result = await ask<{ latencies: number[]; sessionIds: string[] }>(worker, { type: 'chat', url, token: TOKEN, sessions });
      const fanoutMs = summarize(result.latencies);
      sessionIds = [...sessionIds, ...result.sessionIds];
      const level = { sessions, deltas: result.latencies.length, fanoutMs, wallSeconds: (performance.now() - started) / 1_000, withinTarget: fanoutMs.p99 < TARGET_FANOUT_P99_MS };
      levels.push(level);
      if (!level.withinTarget || sessions >= MAX_SESSIONS) break;
    }
    const under = levels.filter((level) => level.withinTarget);
    const maxSessionsUnderTarget = Math.max(0, ...under.map((level) => level.sessions));

    // Memory: IDLE_SESSIONS idle sockets, each subscribed to its own finished session (its replay skipped).
    if (sessionIds.length < IDLE_SESSIONS) {
      const more = await ask<{ sessionIds: string[] }>(worker, { type: 'chat', url, token: TOKEN, sessions: IDLE_SESSIONS - sessionIds.length });
      sessionIds = [...sessionIds, ...more.sessionIds];
    }
    const idle = sessionIds.slice(0, IDLE_SESSIONS);
    const before = heapAfterGc();
    await ask(worker, { type: 'idle', url, token: TOKEN, sessionIds: idle });
    const after = heapAfterGc();
    await ask(worker, { type: 'close' });

    // Memory: ACTIVE_RUNS runs at once, each caught halfway through its streamed answer.
    const idleBaseline = heapAfterGc();
    const allWaiting = model.hold(ACTIVE_RUNS);
    const finished = ask(worker, { type: 'chat', url, token: TOKEN, sessions: ACTIVE_RUNS });
    await allWaiting;
    const active = heapAfterGc();
    model.release();
    await finished;
    return {
      wordsPerAnswer: WORDS_PER_ANSWER,
      levels,
      maxSessionsUnderTarget,
      targetP99Ms: TARGET_FANOUT_P99_MS,
      idleSessions: idle.length,
      heapPerIdleSessionBytes: Math.max(0, (after - before) / Math.max(1, idle.length)),
      activeRuns: ACTIVE_RUNS,
      heapPerActiveRunBytes: Math.max(0, (active - idleBaseline) / ACTIVE_RUNS),
    };
  } finally {
    await stopWorker();
    await stopServer();
  }
}
