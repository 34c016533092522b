import type { HintedToolExecutor, ToolSpec } from '../contracts/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalConfigSchema } from '../config/schema.js';
import { OfflineModel } from '../models/offline/index.js';
import type { Model, ModelMessage, ModelRequest } from '../models/types.js';
import { openStore, type Store } from '../store/database.js';
import { SessionStore } from '../store/session-store.js';
import { type RunContext, startRun } from './durable-run.js';
import { estimateMessageTokens, estimateTokens } from './token-estimate.js';

const CONTEXT_WINDOW_TOKENS = 16_000;
const THRESHOLD = 0.75;
const BUDGET_TOKENS = THRESHOLD * CONTEXT_WINDOW_TOKENS;
const TURNS = 200;
const FACT_TURN = 3;
const FACT = "Remember for later: Lisa Park's safe code is 4417, it concerns order XYZ-789.";

const specs: ToolSpec[] = [
  {
    name: 'orders__get_order',
    description: 'Get one order by its id: status, items, customer and shipping details.',
    inputSchema: {
      type: 'object',
      properties: { order_id: { type: 'string', description: 'The order id' } },
      required: ['order_id'],
    },
    annotations: { readOnlyHint: true },
  },
];

/** An in-process orders server: every order exists, with a result long enough that turns add up. */
const host: HintedToolExecutor = {
  specs: () => specs,
  address: (name) => (name === 'orders__get_order' ? { server: 'orders', tool: 'get_order' } : undefined),
  hints: (name) => (name === 'orders__get_order' ? { readOnlyHint: true } : undefined),
  call: async (_name, input) => {
    const id = String(input.order_id);
    const order = {
      id,
      status: 'shipped',
      customer: `Customer ${id.slice(-3)}`,
      items: ['Silver ring', 'Gift box'],
      carrier: 'UPS',
      tracking: `1Z${id}`,
      notes: 'x'.repeat(300),
    };
    return { isError: false, text: JSON.stringify(order) };
  },
};

/**
 * The offline planner, recording what it is sent, that also answers "what was the safe code?" the way a language
 * model would: by reading the code out of whatever its request holds (the compacted summary, if the turn is gone).
 */
class RecordingModel implements Model {
  readonly id = 'offline';
  readonly provider = 'offline';
  readonly modelName = 'offline';
  readonly requests: ModelRequest[] = [];
  private readonly planner = new OfflineModel();

  async *stream(request: ModelRequest) {
    this.requests.push({ ...request, messages: [...request.messages] });
    const last = request.messages.at(-1);
    if (last?.role === 'user' && /what was the safe code/i.test(last.content)) {
      const seen = request.messages.map((message) => ('content' in message ? message.content : '')).join('\n');
      const code = /safe code is (\d+)/.exec(seen)?.[1];
      yield { type: 'text-delta' as const, text: code ? `The safe code is ${code}.` : 'I do not know.' };
      yield { type: 'finish' as const, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' as const };
      return;
    }
    yield* this.planner.stream(request);
  }
}

function requestTokens(request: ModelRequest): number {
  return request.messages.reduce(
    (sum, message) => sum + estimateMessageTokens(message),
    estimateTokens(JSON.stringify(request.tools)),
  );
}

const isSummary = (message: ModelMessage) =>
  message.role === 'system' && message.content.startsWith('Investigation summary');

describe('compaction over a 200-turn session', () => {
  let store: Store;
  let model: RecordingModel;
  let context: RunContext;
  const sessionId = 'long-session';

  beforeAll(async () => {
    store = await openStore({ file: ':memory:', seed: false });
    model = new RecordingModel();
    context = {
      store,
      model,
      tools: host,
      approval: ApprovalConfigSchema.parse({}),
      isTrusted: (server) => server === 'orders',
      compaction: { threshold: THRESHOLD, contextWindowTokens: CONTEXT_WINDOW_TOKENS },
    };
    for (let turn = 1; turn <= TURNS; turn++) {
      const task = turn === FACT_TURN ? FACT : `What is the status of order ORD-${1000 + turn}?`;
      let outcome: string | undefined;
      for await (const event of startRun(context, { task, sessionId, settings: { model: 'offline', yes: false } })) {
        if (event.type === 'run-end') outcome = event.outcome;
      }
      expect(outcome, `turn ${turn}`).toBe('finished');
    }
  }, 120_000);

  afterAll(async () => {
    await store.close();
  });

  it('keeps every model request under the configured budget (threshold × context window)', () => {
    expect(model.requests.length).toBeGreaterThanOrEqual(TURNS * 2);
    const largest = Math.max(...model.requests.map(requestTokens));
    expect(largest).toBeLessThanOrEqual(BUDGET_TOKENS);
    // Compaction did happen: the raw turns would be several times the budget.
    expect(model.requests.some((request) => request.messages.some(isSummary))).toBe(true);
  });

  it('keeps the raw history of all 200 turns in the store, the summary beside it', async () => {
    const sessions = new SessionStore(store.db);
    const messages = await sessions.messages(sessionId);
    expect(messages.filter((message) => message.role === 'user')).toHaveLength(TURNS);
    expect(messages.some((message) => message.role === 'user' && message.content === FACT)).toBe(true);
    const raw = messages.reduce((sum, message) => sum + estimateMessageTokens(message), 0);
    expect(raw).toBeGreaterThan(3 * BUDGET_TOKENS);
    const { summary, through } = await sessions.summary(sessionId);
    expect(through).toBeGreaterThan(0);
    expect(summary).toContain(`Turn ${FACT_TURN}: asked "${FACT}"`);
  });

  it('answers a question about turn 3 from the summary: the turn itself is no longer sent', async () => {
    let answer = '';
    for await (const event of startRun(context, {
      task: 'What was the safe code Lisa Park gave us in turn 3?',
      sessionId,
      settings: { model: 'offline', yes: false },
    })) {
      if (event.type === 'run-end') answer = event.text;
    }
    expect(answer).toBe('The safe code is 4417.');
    const final = model.requests.at(-1)!;
    expect(requestTokens(final)).toBeLessThanOrEqual(BUDGET_TOKENS);
    expect(final.messages.some((message) => message.role === 'user' && message.content === FACT)).toBe(false);
    const summary = final.messages.find(isSummary);
    expect(summary?.role === 'system' && summary.content).toContain('4417');
  });
});
