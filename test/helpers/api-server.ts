/**
 * @module `deckhand serve` in process for tests: the Fastify app over a temp store, the real notes server (stdio)
 * and the OpenAI wire fake; requests through `inject` (with the token), sockets through Node's WebSocket client.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { join } from 'node:path';
import { ActiveRuns } from '../../src/agent/active-run.js';
import { ElicitationRouter } from '../../src/agent/elicitation.js';
import type { RunEvent } from '../../src/contracts/index.js';
import { Sampler } from '../../src/agent/sampling.js';
import { openPricing, resolveRuntimeModel, type Runtime } from '../../src/app/runtime.js';
import { loadSettings } from '../../src/config/load.js';
import { type ApiServer, buildApiServer } from '../../src/http/index.js';
import { McpHost } from '../../src/mcp/host.js';
import { noopLogger } from '../../src/shared/logger.js';
import { ApprovalStore } from '../../src/store/approval-store.js';
import { RunLeases } from '../../src/store/run-lease.js';
import { openStore } from '../../src/store/database.js';
import { type OpenAIRequest, startOpenAIFake } from '../fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from '../fakes/sse.js';
import { freshWorkspace } from './cli.js';

/** The token test servers run with. */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** A JSON frame of a WebSocket. */
export type Frame = Record<string, unknown> & { type: string };

/** Things to close after each test, last opened first: call {@link closeAll} in `afterEach`. */
const cleanups: Array<() => Promise<void>> = [];

/** Closes everything the helpers opened, last first. */
export async function closeAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** Starts the OpenAI wire fake with `script`, closed after the test. */
export async function startFake(script: readonly FakeTurn[]): Promise<FakeProvider<OpenAIRequest>> {
  const fake = await startOpenAIFake(script);
  cleanups.push(() => fake.close());
  return fake;
}

/** A data dir and a working dir whose deckhand.json starts only the notes server (two cores are shared). */
export function workspace(config: Record<string, unknown> = { builtinServers: ['notes'] }): { home: string; cwd: string } {
  const { home, cwd } = freshWorkspace();
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify(config));
  return { home, cwd };
}

/** What `openRuntime` opens, with the environment and working dir given instead of the process's. */
export async function openTestRuntime(ws: { home: string; cwd: string }, fake: FakeProvider<OpenAIRequest>): Promise<Runtime> {
  const env = {
    DECKHAND_HOME: ws.home,
    DECKHAND_MODEL: 'openai:gpt-4.1-mini',
    DECKHAND_LOG_LEVEL: 'silent',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${fake.url}/v1`,
  } as const;
  const settings = loadSettings({ env, cwd: ws.cwd });
  const { model } = resolveRuntimeModel(settings);
  const pricing = openPricing(settings);
  const price = pricing.price(model);
  const store = await openStore({ file: settings.dbFile });
  const activeRuns = new ActiveRuns();
  const elicitation = new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs: activeRuns, logger: noopLogger });
  const host = await McpHost.start({
    servers: settings.servers,
    elicitation: elicitation.handle,
    sampling: new Sampler({ runs: activeRuns, db: store.db }).handle,
  });
  const close = async () => {
    await host.close();
    await store.close();
  };
  return { settings, logger: noopLogger, model, price, pricing, store, leases: new RunLeases(store.db), host, activeRuns, elicitation, serversStartMs: 0, close, [Symbol.asyncDispose]: close };
}

type InjectOptions = { method: 'GET' | 'POST'; url: string; payload?: unknown; headers?: Record<string, string> };

/** The app over a fresh runtime; `inject` sends the token unless `headers.authorization` is given ('' sends none). */
export async function openApi(ws: { home: string; cwd: string }, fake: FakeProvider<OpenAIRequest>, options: { rateLimitPerMinute?: number } = {}) {
  const runtime = await openTestRuntime(ws, fake);
  const server = await buildApiServer({ runtime, token: TEST_TOKEN, ...options });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.app.close();
    await runtime.close();
  };
  cleanups.push(close);
  const inject = ({ headers, payload, ...rest }: InjectOptions): Promise<LightMyRequestResponse> => {
    const merged: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}`, ...headers };
    if (merged.authorization === '') delete merged.authorization;
    return server.app.inject({ ...rest, headers: merged, ...(payload !== undefined ? { payload: payload as string } : {}) });
  };
  return { ...server, runtime, close, inject };
}

/** Listens on an ephemeral 127.0.0.1 port; resolves with the `ws://` base URL. */
export async function listen(server: ApiServer): Promise<string> {
  const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return address.replace(/^http/, 'ws');
}

/** Resolves with the run's `run-end` events once `count` of them have been seen (backlog included). */
export function runEnds(server: ApiServer, runId: string, count = 1): Promise<Array<Extract<RunEvent, { type: 'run-end' }>>> {
  return new Promise((resolve, reject) => {
    const ends: Array<Extract<RunEvent, { type: 'run-end' }>> = [];
    let unsubscribe: (() => void) | undefined;
    let done = false;
    server.runs
      .subscribe(runId, (event) => {
        if (event.type !== 'run-end' || done) return;
        ends.push(event);
        if (ends.length < count) return;
        done = true;
        unsubscribe?.();
        resolve(ends);
      })
      .then((stop) => {
        unsubscribe = stop;
        if (done) stop();
      }, reject);
  });
}

/**
 * A WebSocket client that keeps every frame and waits for the ones a test needs. Sends the token as a Bearer header
 * unless `headers.authorization` is given ('' sends none).
 */
export async function openSocket(url: string, headers: Record<string, string> = {}) {
  const merged: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}`, ...headers };
  if (merged.authorization === '') delete merged.authorization;
  // Node's WebSocket (undici) takes request headers, which browsers' does not.
  const socket = new WebSocket(url, { headers: merged });
  const frames: Frame[] = [];
  const waiters: Array<{ predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  socket.addEventListener('message', (message) => {
    const frame = JSON.parse(String(message.data)) as Frame;
    frames.push(frame);
    for (const waiter of waiters.splice(0)) {
      if (waiter.predicate(frame)) waiter.resolve(frame);
      else waiters.push(waiter);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`could not open ${url}`)), { once: true });
  });
  cleanups.push(async () => socket.close());
  return {
    socket,
    frames,
    /** The first frame after the `skip`-th that matches (earlier frames included). */
    next(predicate: (frame: Frame) => boolean, skip = 0): Promise<Frame> {
      const found = frames.slice(skip).find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate: (frame) => frames.indexOf(frame) >= skip && predicate(frame), resolve }));
    },
    send(value: unknown) {
      socket.send(typeof value === 'string' ? value : JSON.stringify(value));
    },
    /** Resolves with the close code once the socket closes. */
    closed(): Promise<number> {
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(1005);
      return new Promise((resolve) => socket.addEventListener('close', (event) => resolve(event.code), { once: true }));
    },
  };
}
