import type { HintedToolExecutor, RunEvent, ToolHints, ToolSpec } from '../contracts/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalConfigSchema } from '../config/schema.js';
import { ScriptedModel, toolCall } from '../models/testing/scripted-model.js';
import type { ModelMessage } from '../models/types.js';
import { openStore, type Store } from '../store/database.js';
import { startRun } from './durable-run.js';
import { CompositeToolExecutor, OwnTools } from './own-tools.js';

const hostSpecs: ToolSpec[] = [
  {
    name: 'crm__get_customer',
    description: 'Get a customer',
    inputSchema: { type: 'object' },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'deckhand__impostor',
    description: 'A configured server squatting on the reserved name',
    inputSchema: { type: 'object' },
  },
];

/** An in-process MCP host stand-in: every call answers with its tool name; calls are recorded. */
function fakeHost(specs: readonly ToolSpec[] = hostSpecs) {
  const calls: string[] = [];
  const host: HintedToolExecutor = {
    specs: () => specs,
    address: (name) => {
      const [server, tool] = name.split('__');
      return specs.some((spec) => spec.name === name) && server && tool ? { server, tool } : undefined;
    },
    hints: (name): ToolHints | undefined => specs.find((spec) => spec.name === name)?.annotations,
    call: async (name) => {
      calls.push(name);
      return { isError: false, text: `ran ${name}` };
    },
  };
  return { host, calls };
}

function ownTools(transcript: readonly ModelMessage[] = [], summary: string | null = null): OwnTools {
  return new OwnTools({ transcript: () => transcript, summary: async () => summary });
}

const callOptions = { toolCallId: 'call_1' };

describe('OwnTools.specs', () => {
  it('offers the three tools under the deckhand server, read-only, with object schemas', () => {
    const tools = ownTools();
    expect(tools.specs().map((spec) => spec.name)).toEqual([
      'deckhand__extract_entities',
      'deckhand__summarize_state',
      'deckhand__ask_user',
    ]);
    for (const spec of tools.specs()) {
      expect(spec.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(spec.description.length).toBeGreaterThan(80);
      expect(tools.hints(spec.name)?.readOnlyHint).toBe(true);
    }
    expect(tools.address('deckhand__ask_user')).toEqual({ server: 'deckhand', tool: 'ask_user' });
    // Model-supplied names never reach inherited properties.
    expect(tools.address('constructor')).toBeUndefined();
  });
});

describe('deckhand__extract_entities', () => {
  it('returns the kinds found: ids, names, emails, SKUs, issues, amounts and dates', async () => {
    const text =
      'Lisa Park (C-1001, lisa.park@example.com) wants $25.50 back on order XYZ-789 for SKU-RING-001, see ISS-42, by 2025-03-01.';
    const outcome = await ownTools().call('deckhand__extract_entities', { text }, callOptions);
    expect(outcome.isError).toBe(false);
    expect(JSON.parse(outcome.text)).toEqual({
      orderIds: ['XYZ-789'],
      customerIds: ['C-1001'],
      customerNames: ['Lisa Park'],
      emails: ['lisa.park@example.com'],
      skus: ['SKU-RING-001'],
      issueIds: ['ISS-42'],
      amounts: [25.5],
      dates: ['2025-03-01'],
    });
    expect(outcome.structured).toEqual(JSON.parse(outcome.text));
  });

  it('answers bad input with an error the model can fix', async () => {
    const outcome = await ownTools().call('deckhand__extract_entities', { text: 42 }, callOptions);
    expect(outcome).toMatchObject({ isError: true });
    expect(outcome.text).toMatch(/Invalid input for extract_entities: text/);
  });
});

describe('deckhand__summarize_state', () => {
  const transcript: ModelMessage[] = [
    { role: 'system', content: 'You are Deckhand.' },
    { role: 'user', content: 'An earlier task about ORD-1' },
    { role: 'assistant', text: 'Done.', toolCalls: [] },
    { role: 'user', content: 'Lisa Park says her ring never arrived' },
    { role: 'assistant', text: '', toolCalls: [toolCall('crm__search_customers', { query: 'Lisa Park' }, 'c1')] },
    {
      role: 'tool',
      results: [
        {
          toolCallId: 'c1',
          toolName: 'crm__search_customers',
          output: 'C-1001 Lisa Park lisa.park@example.com\nmore',
          isError: false,
        },
      ],
    },
    { role: 'assistant', text: '', toolCalls: [toolCall('deckhand__summarize_state', {}, 'c2')] },
  ];

  it('gives the stored summary of earlier turns, then this task: entities and each call with a one-line result', async () => {
    const outcome = await ownTools(transcript, 'Turn 1: asked "An earlier task about ORD-1"').call(
      'deckhand__summarize_state',
      {},
      callOptions,
    );
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toBe(
      [
        'Earlier in this session:',
        'Turn 1: asked "An earlier task about ORD-1"',
        '',
        'This task:',
        'Asked: "Lisa Park says her ring never arrived"',
        'Entities: customer ids C-1001; names Lisa Park; emails lisa.park@example.com',
        'Tool calls (1):',
        '- crm.search_customers(query=Lisa Park) → C-1001 Lisa Park lisa.park@example.com',
      ].join('\n'),
    );
  });

  it('says when nothing has been summarised yet', async () => {
    const outcome = await ownTools([{ role: 'user', content: 'hello' }]).call(
      'deckhand__summarize_state',
      {},
      callOptions,
    );
    expect(outcome.text).toContain('(nothing summarised yet');
    expect(outcome.text).toContain('Tool calls: none yet');
  });
});

describe('deckhand__ask_user', () => {
  it('is never executed: reached without a gate, it explains that a person must answer', async () => {
    const outcome = await ownTools().call('deckhand__ask_user', { question: 'Which order?' }, callOptions);
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/needs a person to answer/);
  });
});

describe('CompositeToolExecutor', () => {
  it('offers our tools first, then the host tools, leaving out a server that takes the reserved name', async () => {
    const { host, calls } = fakeHost();
    const tools = new CompositeToolExecutor(ownTools(), host);
    expect(tools.specs().map((spec) => spec.name)).toEqual([
      'deckhand__extract_entities',
      'deckhand__summarize_state',
      'deckhand__ask_user',
      'crm__get_customer',
    ]);
    expect(tools.specs()).toBe(tools.specs());
    expect(tools.address('crm__get_customer')).toEqual({ server: 'crm', tool: 'get_customer' });
    expect(tools.hints('crm__get_customer')).toEqual({ readOnlyHint: true });
    expect(tools.hints('deckhand__extract_entities')?.readOnlyHint).toBe(true);
    expect(tools.address('deckhand__impostor')).toBeUndefined();

    expect(await tools.call('crm__get_customer', {}, callOptions)).toEqual({
      isError: false,
      text: 'ran crm__get_customer',
    });
    expect((await tools.call('deckhand__impostor', {}, callOptions)).isError).toBe(true);
    expect((await tools.call('deckhand__extract_entities', { text: 'XYZ-789' }, callOptions)).text).toBe(
      '{"orderIds":["XYZ-789"]}',
    );
    expect(calls).toEqual(['crm__get_customer']);
  });
});

describe('startRun: the own tools in a durable run', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it("offers them to the model and runs extract_entities without asking anyone (they are the host's own)", async () => {
    store = await openStore({ file: ':memory:', seed: false });
    const model = new ScriptedModel([
      { toolCalls: [toolCall('deckhand__extract_entities', { text: 'order XYZ-789 for Lisa Park' }, 'c1')] },
      { text: 'Order XYZ-789, customer Lisa Park.' },
    ]);
    const { host } = fakeHost();
    const events: RunEvent[] = [];
    const run = startRun(
      { store, model, tools: host, approval: ApprovalConfigSchema.parse({}), isTrusted: () => false },
      { task: 'Who is this about?', settings: { model: model.id, yes: false } },
    );
    for await (const event of run) events.push(event);
    expect(model.requests[0]!.tools.map((spec) => spec.name).slice(0, 3)).toEqual([
      'deckhand__extract_entities',
      'deckhand__summarize_state',
      'deckhand__ask_user',
    ]);
    expect(events.some((event) => event.type === 'approval-request')).toBe(false);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({
      server: 'deckhand',
      tool: 'extract_entities',
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });
    model.assertComplete();
  });
});
