import { describe, expect, it } from 'vitest';
import { contextWindowOf, DEFAULT_CONTEXT_WINDOW_TOKENS } from '../models/context-window.js';
import { readConversation } from '../models/offline/conversation.js';
import { ScriptedModel, toolCall } from '../models/testing/scripted-model.js';
import type { Model, ModelMessage, ModelPart, ModelRequest } from '../models/types.js';
import { Compactor, type SummaryStore, withCompactionUsage } from './compaction.js';
import { condenseSummary, extractiveSummary } from './extractive-summary.js';
import { estimateMessageTokens, estimateTokens } from './token-estimate.js';

const SYSTEM: ModelMessage = { role: 'system', content: 'You are Deckhand.' };

/** One whole turn: a question, a tool call with a padded result, and an answer. */
function turn(number: number, padding = 400): ModelMessage[] {
  const id = `call_${number}`;
  return [
    { role: 'user', content: `What is the status of order ORD-${1000 + number}?` },
    {
      role: 'assistant',
      text: '',
      toolCalls: [toolCall('orders__get_order', { order_id: `ORD-${1000 + number}` }, id)],
    },
    {
      role: 'tool',
      results: [
        {
          toolCallId: id,
          toolName: 'orders__get_order',
          output: `status: shipped\n${'x'.repeat(padding)}`,
          isError: false,
        },
      ],
    },
    { role: 'assistant', text: `ORD-${1000 + number} has shipped.`, toolCalls: [] },
  ];
}

function transcript(turns: number, padding?: number): ModelMessage[] {
  return [SYSTEM, ...Array.from({ length: turns }, (_, index) => turn(index + 1, padding)).flat()];
}

function memoryStore(initial: { summary: string | null; through: number } = { summary: null, through: 0 }) {
  const saved: Array<{ summary: string; through: number }> = [];
  let current = initial;
  const store: SummaryStore = {
    summary: async () => current,
    saveSummary: async (_sessionId, summary, through) => {
      saved.push({ summary, through });
      current = { summary, through };
    },
  };
  return { store, saved };
}

const offline = {
  id: 'offline',
  provider: 'offline',
  modelName: 'offline',
  stream: () => {
    throw new Error('not called');
  },
};
const tokensOf = (messages: readonly ModelMessage[]) =>
  messages.reduce((sum, message) => sum + estimateMessageTokens(message), 0);

describe('estimateTokens', () => {
  it('counts about four characters a token, and a message by its text, calls or results plus framing', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('abcdefghi')).toBe(3);
    expect(estimateMessageTokens({ role: 'user', content: 'x'.repeat(40) })).toBe(14);
    const [, call, result] = turn(1, 400);
    expect(estimateMessageTokens(call!)).toBeGreaterThan(10);
    expect(estimateMessageTokens(result!)).toBeGreaterThan(100);
  });
});

describe('contextWindowOf', () => {
  it('has a default per provider', () => {
    expect(contextWindowOf({ provider: 'openai', modelName: 'gpt-4.1-mini' })).toBe(128_000);
    expect(contextWindowOf({ provider: 'anthropic', modelName: 'claude-sonnet-4-5' })).toBe(200_000);
    expect(contextWindowOf({ provider: 'ollama', modelName: 'qwen2.5' })).toBe(32_000);
    expect(contextWindowOf({ provider: 'offline', modelName: 'offline' })).toBe(8_000);
    expect(contextWindowOf({ provider: 'scripted', modelName: 'test' })).toBe(DEFAULT_CONTEXT_WINDOW_TOKENS);
  });
});

describe('extractiveSummary', () => {
  it('writes one line per turn: request, entities, calls with one-line results, answer', () => {
    const summary = extractiveSummary({
      previous: 'Turn 1: asked "hello"',
      turns: [{ number: 2, messages: turn(2, 10) }],
      maxTokens: 1_000,
    });
    expect(summary).toBe(
      'Turn 1: asked "hello"\n' +
        'Turn 2: asked "What is the status of order ORD-1002?" | found orders ORD-1002 | ' +
        'called orders.get_order(order_id=ORD-1002) → status: shipped | answered "ORD-1002 has shipped."',
    );
  });
});

describe('condenseSummary', () => {
  const lines = Array.from(
    { length: 40 },
    (_, index) =>
      `Turn ${index + 1}: asked "question ${index + 1}" | found orders ORD-${index} | called ${'c'.repeat(200)} | answered "${'a'.repeat(100)}"`,
  );

  it('leaves a summary that fits as it is', () => {
    expect(condenseSummary(lines.slice(0, 2).join('\n'), 1_000)).toBe(lines.slice(0, 2).join('\n'));
  });

  it('first shortens the oldest lines to their request and entities, keeping the newest whole', () => {
    const condensed = condenseSummary(lines.join('\n'), 2_000).split('\n');
    expect(condensed).toHaveLength(40);
    expect(condensed[0]).toBe('Turn 1: asked "question 1" | found orders ORD-0');
    expect(condensed.at(-1)).toBe(lines.at(-1));
    expect(estimateTokens(condensed.join('\n'))).toBeLessThanOrEqual(2_000);
  });

  it('then drops the oldest lines and says which turns were left out, merging with an earlier note', () => {
    const once = condenseSummary(lines.join('\n'), 300);
    expect(once.split('\n')[0]).toMatch(
      /^\(Turns 1–\d+ omitted to fit the context; the full history is in the session store\.\)$/,
    );
    expect(estimateTokens(once)).toBeLessThanOrEqual(300);
    expect(once).toContain('Turn 40:');
    const twice = condenseSummary(
      `${once}\n${lines
        .slice(0, 5)
        .map((line) => line.replace(/^Turn \d+/, (match) => `${match}0`))
        .join('\n')}`,
      300,
    );
    expect(twice.split('\n')[0]).toMatch(/^\(Turns 1–\d+ omitted/);
    expect(estimateTokens(twice)).toBeLessThanOrEqual(300);
  });
});

describe('Compactor.prepare', () => {
  it('sends the transcript as it is while it fits the budget', async () => {
    const { store, saved } = memoryStore();
    const compactor = new Compactor({
      model: offline,
      store,
      sessionId: 's',
      config: { contextWindowTokens: 100_000 },
    });
    const messages = transcript(5);
    expect(await compactor.prepare(messages)).toBe(messages);
    expect(saved).toEqual([]);
    expect(compactor.budgetTokens).toBe(75_000);
  });

  it('summarises the oldest whole turns into the stored summary and sends [system, summary, ...recent turns]', async () => {
    const { store, saved } = memoryStore();
    const compactor = new Compactor({
      model: offline,
      store,
      sessionId: 's',
      config: { threshold: 0.5, contextWindowTokens: 4_000 },
    });
    const messages = transcript(30);
    expect(tokensOf(messages)).toBeGreaterThan(compactor.budgetTokens);
    const view = await compactor.prepare(messages);

    expect(tokensOf(view)).toBeLessThanOrEqual(compactor.budgetTokens);
    expect(saved).toHaveLength(1);
    const { summary, through } = saved[0]!;
    // `through` is a session seq (messages[through] here, the system prompt being index 0) that ends a whole turn.
    expect(messages[through]).toMatchObject({ role: 'assistant', toolCalls: [] });
    expect(messages[through + 1]).toMatchObject({ role: 'user' });
    expect(summary.split('\n')[0]).toMatch(/^Turn 1: asked "What is the status of order ORD-1001\?"/);
    expect(view[0]).toBe(SYSTEM);
    expect(view[1]).toMatchObject({
      role: 'system',
      content: `${view[1]!.role === 'system' ? view[1]!.content.split('\n')[0] : ''}\n${summary}`,
    });
    expect(view.slice(2)).toEqual(messages.slice(through + 1));
    // Every tool result still follows the assistant message that called it.
    for (const [index, message] of view.entries())
      if (message.role === 'tool') expect(view[index - 1]).toMatchObject({ role: 'assistant' });

    // The next step of the same run reuses the summary without summarising again.
    messages.push(...turn(31));
    await compactor.prepare(messages);
    expect(saved).toHaveLength(1);
  });

  it('picks up the stored summary in a later run, and never compacts the current turn or the one before it', async () => {
    const { store, saved } = memoryStore({ summary: 'Turn 1: asked "x"', through: 4 });
    const compactor = new Compactor({ model: offline, store, sessionId: 's', config: { contextWindowTokens: 1_000 } });
    const messages = transcript(3, 2_000);
    const view = await compactor.prepare(messages);
    // Turn 1 was already summarised; turn 2 is kept for turn 3 (the current one), though over budget.
    expect(saved).toEqual([]);
    expect(view.slice(2)).toEqual(messages.slice(5));
  });

  it('has the model write the summary when it is not offline, chunk by chunk, and charges its usage to the next step', async () => {
    const requests: ModelRequest[] = [];
    const summariser: Model = {
      id: 'scripted:summariser',
      provider: 'scripted',
      modelName: 'summariser',
      async *stream(request) {
        requests.push(request);
        yield { type: 'text-delta', text: `Summary ${requests.length}.` };
        yield { type: 'finish', usage: { inputTokens: 900, outputTokens: 30 }, finishReason: 'stop' };
      },
    };
    const { store, saved } = memoryStore();
    const compactor = new Compactor({
      model: summariser,
      store,
      sessionId: 's',
      config: { threshold: 0.5, contextWindowTokens: 4_000 },
    });
    const view = await compactor.prepare(transcript(30));
    // The turns compacted do not fit one summarisation request: each chunk merges into the summary of the ones before.
    expect(requests.length).toBeGreaterThan(1);
    expect(saved).toHaveLength(1);
    expect(saved[0]!.summary).toBe(`Summary ${requests.length}.`);
    // Whole turns of four messages each.
    expect(saved[0]!.through % 4).toBe(0);
    expect(requests[0]!.tools).toEqual([]);
    expect(requests[0]!.messages[0]).toMatchObject({
      role: 'system',
      content: expect.stringContaining('investigation summary'),
    });
    expect(requests[0]!.messages[1]).toMatchObject({
      role: 'user',
      content: expect.stringContaining('Assistant called orders.get_order(order_id=ORD-1001)'),
    });
    expect(requests[1]!.messages[1]).toMatchObject({
      content: expect.stringContaining('Earlier summary:\nSummary 1.'),
    });
    for (const request of requests) expect(tokensOf(request.messages)).toBeLessThanOrEqual(compactor.budgetTokens);

    const model = new ScriptedModel([{ text: 'Answer.', usage: { inputTokens: 100, outputTokens: 5 } }]);
    const parts: ModelPart[] = [];
    for await (const part of withCompactionUsage(model, compactor).stream({ messages: view, tools: [] }))
      parts.push(part);
    const usage = { inputTokens: 100 + 900 * requests.length, outputTokens: 5 + 30 * requests.length };
    expect(parts.at(-1)).toEqual({ type: 'finish', usage, finishReason: 'stop' });
    // Reported once: the next step carries only its own usage.
    expect(compactor.takeUsage()).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('falls back to the extractive summary when the model call fails, and stops when the run is aborted', async () => {
    const failing = new ScriptedModel([]);
    const { store, saved } = memoryStore();
    const compactor = new Compactor({
      model: failing,
      store,
      sessionId: 's',
      config: { threshold: 0.5, contextWindowTokens: 4_000 },
    });
    await compactor.prepare(transcript(30));
    expect(saved[0]?.summary).toMatch(/^Turn 1: asked/);

    const controller = new AbortController();
    const aborting = {
      ...failing,
      id: 'scripted:abort',
      provider: 'scripted',
      modelName: 'abort',
      // eslint-disable-next-line require-yield -- throws before its first part, as an aborted provider does
      async *stream(): AsyncIterable<ModelPart> {
        controller.abort(new Error('cancelled'));
        throw new Error('cancelled');
      },
    };
    const aborted = new Compactor({
      model: aborting,
      store: memoryStore().store,
      sessionId: 's',
      config: { threshold: 0.5, contextWindowTokens: 4_000 },
      signal: controller.signal,
    });
    await expect(aborted.prepare(transcript(30))).rejects.toThrow('cancelled');
  });
});

describe('offline planner call ids after compaction', () => {
  // Invariant: a compacted request holds fewer assistant turns than the conversation had, and the offline planner's
  // next call id must still differ from every id in view (approvals are keyed by run and call id).
  it('numbers the next call past the highest offline call id the request holds', () => {
    const view: ModelMessage[] = [
      SYSTEM,
      { role: 'system', content: 'Investigation summary …' },
      { role: 'user', content: 'What is the status of order ORD-1041?' },
      {
        role: 'assistant',
        text: '',
        toolCalls: [toolCall('orders__get_order', { order_id: 'ORD-1041' }, 'offline_81_1')],
      },
      {
        role: 'tool',
        results: [{ toolCallId: 'offline_81_1', toolName: 'orders__get_order', output: 'shipped', isError: false }],
      },
    ];
    expect(readConversation(view).step).toBe(82);
    expect(readConversation(transcript(2)).step).toBe(5);
  });
});
