import { describe, expect, it } from 'vitest';
import type { Model, ModelMessage, ModelPart } from '../models/types.js';
import type { RunEvent, ToolExecutor, ToolOutcome, ToolSpec } from '../contracts/index.js';
import { ScriptedModel, toolCall } from '../models/testing/scripted-model.js';
import { ProviderError } from '../shared/errors.js';
import { runAgent } from './run-agent.js';

const specs: ToolSpec[] = [
  { name: 'crm__lookup', description: 'Look up a customer', inputSchema: { type: 'object' } },
  { name: 'email__send', description: 'Send an email', inputSchema: { type: 'object' } },
];

/** An in-process executor recording calls; `respond` decides each outcome. */
function fakeTools(respond: (name: string, input: Record<string, unknown>, signal?: AbortSignal) => Promise<ToolOutcome> | ToolOutcome) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const executor: ToolExecutor = {
    specs: () => specs,
    address: (name) => {
      const [server, tool] = name.split('__');
      return server && tool ? { server, tool } : undefined;
    },
    call: async (name, input, options) => {
      calls.push({ name, input });
      return respond(name, input, options.signal);
    },
  };
  return { executor, calls };
}

async function collect(run: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
}

const start = (): ModelMessage[] => [{ role: 'user', content: 'ship it' }];

describe('runAgent', () => {
  it('calls tools, feeds results back and finishes with the final answer', async () => {
    const model = new ScriptedModel([
      { toolCalls: [toolCall('crm__lookup', { order_id: 'XYZ-789' }, 'c1')], usage: { inputTokens: 100, outputTokens: 10 } },
      { toolCalls: [toolCall('email__send', { to: 'a@b.c' }, 'c2')], usage: { inputTokens: 150, outputTokens: 12 } },
      { text: 'Sent.', usage: { inputTokens: 200, outputTokens: 3 } },
    ]);
    const { executor, calls } = fakeTools((name) => ({ isError: false, text: name === 'crm__lookup' ? 'a@b.c' : 'queued' }));
    const messages = start();
    const events = await collect(
      runAgent({ model, tools: executor, messages, task: 'ship it', sessionId: 's1', runId: 'r1', price: { inputPerMTok: 1, outputPerMTok: 2 } }),
    );

    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'step-start', 'usage', 'tool-call', 'tool-start', 'tool-result', 'step-end',
      'step-start', 'usage', 'tool-call', 'tool-start', 'tool-result', 'step-end',
      'step-start', 'text-delta', 'usage', 'step-end',
      'run-end',
    ]);
    expect(calls).toEqual([
      { name: 'crm__lookup', input: { order_id: 'XYZ-789' } },
      { name: 'email__send', input: { to: 'a@b.c' } },
    ]);
    // The second model request saw the first tool's result.
    expect(model.requests[1]!.messages.at(-1)).toEqual({
      role: 'tool',
      results: [{ toolCallId: 'c1', toolName: 'crm__lookup', output: 'a@b.c', isError: false }],
    });
    const end = events.at(-1)!;
    expect(end).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Sent.' });
    if (end.type !== 'run-end') throw new Error('unreachable');
    expect(end.totals).toMatchObject({ steps: 3, toolCalls: 2, inputTokens: 450, outputTokens: 25 });
    expect(end.totals.costUsd).toBeCloseTo((450 * 1 + 25 * 2) / 1_000_000, 12);
    // The transcript is kept incrementally in the caller's array.
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    model.assertComplete();
  });

  it('runs the tool calls of one step in parallel and reports results in call order', async () => {
    let inFlight = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const { executor } = fakeTools(async (name) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => {
        release.push(resolve);
        if (release.length === 2) for (const done of release) done();
      });
      inFlight -= 1;
      return { isError: false, text: `${name} done` };
    });
    const model = new ScriptedModel([
      { toolCalls: [toolCall('crm__lookup', {}, 'a'), toolCall('email__send', {}, 'b')] },
      { text: 'ok' },
    ]);
    const events = await collect(runAgent({ model, tools: executor, messages: start(), task: 't', sessionId: 's' }));
    expect(peak).toBe(2);
    const results = events.filter((event) => event.type === 'tool-result');
    expect(results.map((event) => event.type === 'tool-result' && event.toolCallId)).toEqual(['a', 'b']);
  });

  it('feeds a tool error back to the model, which recovers', async () => {
    const { executor } = fakeTools((_, input) =>
      input.order_id === 'XYZ-000' ? { isError: true, text: 'No order XYZ-000. Did you mean XYZ-789?' } : { isError: false, text: 'found' },
    );
    const model = new ScriptedModel([
      { toolCalls: [toolCall('crm__lookup', { order_id: 'XYZ-000' }, 'bad')] },
      { toolCalls: [toolCall('crm__lookup', { order_id: 'XYZ-789' }, 'good')] },
      { text: 'Found it.' },
    ]);
    const events = await collect(runAgent({ model, tools: executor, messages: start(), task: 't', sessionId: 's' }));
    expect(events.find((event) => event.type === 'tool-error')).toMatchObject({ error: 'No order XYZ-000. Did you mean XYZ-789?' });
    expect(model.requests[1]!.messages.at(-1)).toMatchObject({ role: 'tool', results: [{ isError: true }] });
    expect(events.at(-1)).toMatchObject({ outcome: 'finished', text: 'Found it.' });
  });

  it('options.maxSteps stops a run that never answers', async () => {
    let round = 0;
    const { executor } = fakeTools(() => ({ isError: false, text: `again ${(round += 1)}` }));
    const model = new ScriptedModel([{ toolCalls: [toolCall('crm__lookup', {})] }], { loop: true });
    const events = await collect(runAgent({ model, tools: executor, messages: start(), task: 't', sessionId: 's', maxSteps: 3 }));
    expect(model.requests).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'failed' });
    expect(events.at(-1)).toHaveProperty('error', expect.stringContaining('--max-steps'));
  });

  it('options.budgetUsd refuses the model call that could cross it, before sending it', async () => {
    let round = 0;
    const { executor } = fakeTools(() => ({ isError: false, text: `x ${(round += 1)}` }));
    const model = new ScriptedModel([{ toolCalls: [toolCall('crm__lookup', {})], usage: { inputTokens: 1_000_000, outputTokens: 0 } }], {
      loop: true,
    });
    const events = await collect(
      runAgent({ model, tools: executor, messages: start(), task: 't', sessionId: 's', runId: 'R-1', budgetUsd: 1.5, price: { inputPerMTok: 1, outputPerMTok: 0 } }),
    );
    // The first call's prompt was reported a million tokens: the next one is at least as big, so $1 + $1 > $1.50.
    expect(model.requests).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      outcome: 'budget-exhausted',
      totals: { costUsd: 1 },
      resumeCommand: 'deckhand resume R-1 --budget-usd 5',
    });
    expect((events.at(-1) as { text: string }).text).toMatch(/^Budget exhausted: run usd 1\.00 of 1\.50 \(the next model call could add up to 1\.\d\d\)\. To continue: deckhand resume R-1 --budget-usd 5$/);
  });

  it('stops a run that calls the same tool with the same arguments and gets the same result three times', async () => {
    const { executor } = fakeTools(() => ({ isError: false, text: 'still pending' }));
    const model = new ScriptedModel([{ toolCalls: [toolCall('crm__lookup', { order_id: 'XYZ-789' })] }], { loop: true });
    const events = await collect(runAgent({ model, tools: executor, messages: start(), task: 't', sessionId: 's' }));
    expect(model.requests).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'failed' });
    expect((events.at(-1) as { error: string }).error).toMatch(/^Stopped: crm\.lookup was called 3 times with the same arguments \(\{"order_id":"XYZ-789"\}\)/);
  });

  it('ends with outcome failed and the provider message when the model call fails', async () => {
    const failing: Model = {
      id: 'openai:x',
      provider: 'openai',
      modelName: 'x',
      // eslint-disable-next-line require-yield -- fails before yielding, like a refused request
      async *stream(): AsyncIterable<ModelPart> {
        throw new ProviderError('openai rejected the API key (401): check OPENAI_API_KEY', 401);
      },
    };
    const { executor } = fakeTools(() => ({ isError: false, text: '' }));
    const events = await collect(runAgent({ model: failing, tools: executor, messages: start(), task: 't', sessionId: 's' }));
    expect(events.at(-1)).toMatchObject({ outcome: 'failed', error: 'openai rejected the API key (401): check OPENAI_API_KEY' });
  });

  it('options.signal cancels a tool call in flight and ends the run as cancelled', async () => {
    const controller = new AbortController();
    const { executor } = fakeTools(
      (_, __, signal) =>
        new Promise<ToolOutcome>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          controller.abort(new Error('user pressed Ctrl-C'));
        }),
    );
    const model = new ScriptedModel([{ toolCalls: [toolCall('crm__lookup', {})] }, { text: 'never' }]);
    const events = await collect(runAgent({ model, tools: executor, messages: start(), task: 't', sessionId: 's', signal: controller.signal }));
    expect(events.map((event) => event.type).slice(-3)).toEqual(['tool-error', 'step-end', 'run-end']);
    expect(events.at(-1)).toMatchObject({ outcome: 'cancelled' });
    expect(model.requests).toHaveLength(1);
  });
});
