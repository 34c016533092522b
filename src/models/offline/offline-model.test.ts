import { describe, expect, it } from 'vitest';
import type { RunEvent, ToolAddress, ToolExecutor, ToolOutcome, ToolSpec } from '../../contracts/index.js';
import { runAgent } from '../../agent/run-agent.js';
import { SYSTEM_PROMPT } from '../../agent/system-prompt.js';
import type { ModelMessage, ModelPart } from '../types.js';
import { FakeOpsTools, OPS_TOOL_SPECS } from '../testing/fake-ops-tools.js';
import { OfflineModel } from './index.js';

interface RunResult {
  readonly events: RunEvent[];
  readonly tools: FakeOpsTools;
  readonly end: Extract<RunEvent, { type: 'run-end' }>;
  readonly messages: ModelMessage[];
}

async function run(
  task: string,
  options: { tools?: FakeOpsTools; messages?: ModelMessage[] } = {},
): Promise<RunResult> {
  const tools = options.tools ?? new FakeOpsTools();
  const messages = options.messages ?? [{ role: 'system', content: SYSTEM_PROMPT }];
  messages.push({ role: 'user', content: task });
  const events: RunEvent[] = [];
  for await (const event of runAgent({
    model: new OfflineModel(),
    tools,
    messages,
    task,
    sessionId: 'test',
    runId: 'run',
    now: () => 0,
  })) {
    events.push(event);
  }
  const end = events.at(-1);
  if (end?.type !== 'run-end') throw new Error('the run did not end with run-end');
  return { events, tools, end, messages };
}

async function collect(parts: AsyncIterable<ModelPart>): Promise<ModelPart[]> {
  const collected: ModelPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

describe('OfflineModel through runAgent: the shipping confirmation', () => {
  it.each([
    'Order XYZ-789 has shipped. Email the customer a shipping confirmation.',
    'Send a shipping confirmation for order XYZ-789',
    'XYZ-789 went out today — let the customer know by email',
    'please notify the customer of order XYZ-789 that it shipped',
    'email shipping confirmation to the buyer of XYZ-789',
    'Can you email the client of order XYZ-789 to confirm it was dispatched?',
  ])('%j looks up the email, then sends the confirmation', async (task) => {
    const { tools, end } = await run(task);
    expect(tools.calls.map((call) => call.name)).toEqual(['crm__getCustomerEmail', 'email__sendShippingConfirmation']);
    expect(tools.calls[0]?.input).toEqual({ order_id: 'XYZ-789' });
    expect(tools.calls[1]?.input.email).toBe('lisa.park@example.com');
    expect(tools.calls[1]?.input.order_details).toContain('XYZ-789');
    expect(end.outcome).toBe('finished');
    expect(end.text).toContain('Sent the shipping confirmation for order XYZ-789 to lisa.park@example.com.');
  });

  it('emits the event sequence of a three-step run', async () => {
    const { events } = await run('Send a shipping confirmation for order XYZ-789');
    const sequence = events.filter((event) => event.type !== 'text-delta').map((event) => event.type);
    expect(sequence).toEqual([
      'run-start',
      'step-start',
      'usage',
      'tool-call',
      'tool-start',
      'tool-result',
      'step-end',
      'step-start',
      'usage',
      'tool-call',
      'tool-start',
      'tool-result',
      'step-end',
      'step-start',
      'usage',
      'step-end',
      'run-end',
    ]);
  });

  it('reports zero tokens at no cost: it sends nothing anywhere', async () => {
    const { end } = await run('Send a shipping confirmation for order XYZ-789');
    expect(end.totals.steps).toBe(3);
    expect(end.totals.toolCalls).toBe(2);
    expect(end.totals.inputTokens).toBe(0);
    expect(end.totals.outputTokens).toBe(0);
    expect(end.totals.costUsd).toBe(0);
  });

  it('sends straight away when the task gives the address', async () => {
    const { tools, end } = await run('Send a shipping confirmation for order XYZ-789 to lisa@work.example.com');
    expect(tools.calls).toEqual([
      {
        name: 'email__sendShippingConfirmation',
        input: { email: 'lisa@work.example.com', order_details: 'Order XYZ-789.' },
      },
    ]);
    expect(end.outcome).toBe('finished');
  });

  it('reads the email out of a prose result, as the built-in CRM server words it', async () => {
    class ProseCrm extends FakeOpsTools {
      override async call(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
        const outcome = await super.call(name, input);
        if (name !== 'crm__getCustomerEmail' || outcome.isError) return outcome;
        return { isError: false, text: 'lisa.park@example.com (Lisa Park, customer C-1001, order XYZ-789)' };
      }
    }
    const { tools, end } = await run('Order XYZ-789 has shipped. Email the customer a shipping confirmation.', {
      tools: new ProseCrm(),
    });
    expect(tools.calls[1]).toEqual({
      name: 'email__sendShippingConfirmation',
      input: {
        email: 'lisa.park@example.com',
        order_details: 'Order XYZ-789 has shipped. Customer id: C-1001; customer name: Lisa Park.',
      },
    });
    expect(end.outcome).toBe('finished');
  });

  it('works from names alone when the catalog has no annotations', async () => {
    const bare = OPS_TOOL_SPECS.map(({ annotations: _annotations, ...spec }): ToolSpec => spec);
    const { tools } = await run('Send a shipping confirmation for order XYZ-789', { tools: new FakeOpsTools(bare) });
    expect(tools.calls.map((call) => call.name)).toEqual(['crm__getCustomerEmail', 'email__sendShippingConfirmation']);
  });
});

/** Another catalog for the same job, with different servers, names and parameters: nothing is hard-coded. */
class RenamedShopTools implements ToolExecutor {
  readonly calls: { name: string; input: Record<string, unknown> }[] = [];
  specs(): readonly ToolSpec[] {
    return [
      {
        name: 'mailer__notify_order_shipped',
        description: 'Tell a buyer by mail that their order is on its way.',
        inputSchema: {
          type: 'object',
          properties: {
            to: { type: 'string', description: 'Recipient email address' },
            message: { type: 'string', description: 'Body of the mail' },
          },
          required: ['to', 'message'],
        },
      },
      {
        name: 'shop__find_buyer_email',
        description: 'Find the contact email of the buyer for an order number.',
        inputSchema: { type: 'object', properties: { orderNumber: { type: 'string' } }, required: ['orderNumber'] },
      },
    ];
  }
  address(name: string): ToolAddress | undefined {
    const [server = '', tool = ''] = name.split('__');
    return { server, tool };
  }
  async call(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
    this.calls.push({ name, input });
    return name === 'shop__find_buyer_email'
      ? { isError: false, text: 'Buyer: Omar Haddad\nContact email: omar.haddad@example.com' }
      : { isError: false, text: 'queued' };
  }
}

describe('OfflineModel through runAgent: a catalog it has never seen', () => {
  it('chains the lookup and the action from names and descriptions alone', async () => {
    const tools = new RenamedShopTools();
    const messages: ModelMessage[] = [
      { role: 'user', content: 'Order XYZ-790 has shipped. Email the customer a shipping confirmation.' },
    ];
    const events: RunEvent[] = [];
    for await (const event of runAgent({
      model: new OfflineModel(),
      tools,
      messages,
      task: 'shipping',
      sessionId: 'test',
    })) {
      events.push(event);
    }
    expect(tools.calls).toEqual([
      { name: 'shop__find_buyer_email', input: { orderNumber: 'XYZ-790' } },
      {
        name: 'mailer__notify_order_shipped',
        input: { to: 'omar.haddad@example.com', message: expect.stringContaining('XYZ-790') },
      },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });
  });
});

describe('OfflineModel through runAgent: when it cannot go on', () => {
  it('asks which order when the task names none, without calling a tool', async () => {
    const { tools, end } = await run('Email the customer a shipping confirmation.');
    expect(tools.calls).toEqual([]);
    expect(end.outcome).toBe('finished');
    expect(end.text).toContain('Which order should I send the shipping confirmation for?');
    expect(end.text).toContain('order id (like XYZ-789)');
  });

  // Regression: with a listing tool in the catalog, the planner listed all orders and emailed the first
  // customer it found. An id must come from the user or from a result that names exactly one.
  it('never picks an order out of a listing to act on', async () => {
    const { tools, end } = await run('Email the customer a shipping confirmation.');
    expect(tools.specs().some((spec) => spec.name === 'orders__list_orders')).toBe(true);
    expect(tools.calls).toEqual([]);
    expect(end.text).toContain('Which order should I send the shipping confirmation for?');
  });

  it('carries on when the next message answers the clarifying question', async () => {
    const first = await run('Email the customer a shipping confirmation.');
    const { tools, end } = await run('XYZ-789', { tools: first.tools, messages: first.messages });
    expect(tools.calls.map((call) => call.name)).toEqual(['crm__getCustomerEmail', 'email__sendShippingConfirmation']);
    expect(end.text).toContain('to lisa.park@example.com');
  });

  it('explains an unknown order plainly and sends nothing', async () => {
    const { tools, events, end } = await run('Order XYZ-000 has shipped. Email the customer a shipping confirmation.');
    expect(tools.calls).toEqual([{ name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-000' } }]);
    expect(events.some((event) => event.type === 'tool-error')).toBe(true);
    expect(end.outcome).toBe('finished');
    expect(end.text).toContain('I could not send the shipping confirmation for order XYZ-000');
    expect(end.text).toContain('No order XYZ-000. Known orders look like XYZ-789.');
    expect(end.text).toContain('Please check the order id');
  });

  it('tries the next candidate once after an error, and never repeats a call', async () => {
    const { tools, end } = await run('Send a shipping confirmation for order XYZ-000 or XYZ-789');
    expect(tools.calls.map((call) => [call.name, call.input.order_id ?? call.input.email])).toEqual([
      ['crm__getCustomerEmail', 'XYZ-000'],
      ['crm__getCustomerEmail', 'XYZ-789'],
      ['email__sendShippingConfirmation', 'lisa.park@example.com'],
    ]);
    expect(end.text).toContain('for order XYZ-789');
  });

  it('does not retry around a refused approval', async () => {
    class RefusingTools extends FakeOpsTools {
      override async call(name: string, input: Record<string, unknown>): Promise<ToolOutcome> {
        if (name === 'email__sendShippingConfirmation') {
          this.calls.push({ name, input });
          return { isError: true, text: 'The call was denied by the operator.' };
        }
        return super.call(name, input);
      }
    }
    const { tools, end } = await run(
      'Send a shipping confirmation for order XYZ-789 to a@example.com or b@example.com',
      {
        tools: new RefusingTools(),
      },
    );
    expect(tools.calls.map((call) => call.name)).toEqual(['email__sendShippingConfirmation']);
    expect(end.text).toContain('denied by the operator');
  });

  it.each(['book me a flight to Paris', "what's the weather in Lisbon?"])(
    'says plainly that %j is beyond the connected tools',
    async (task) => {
      const { tools, end } = await run(task);
      expect(tools.calls).toEqual([]);
      expect(end.outcome).toBe('finished');
      expect(end.text).toContain("I can't do that offline");
      expect(end.text).toContain('(email.sendShippingConfirmation)');
      expect(end.text).toContain('OPENAI_API_KEY');
      expect(end.text).toContain('--model');
    },
  );

  it('does not read instead of acting when no tool performs the requested action', async () => {
    const { tools, end } = await run('refund order XYZ-789');
    expect(tools.calls).toEqual([]);
    expect(end.text).toContain("I can't do that offline");
  });
});

describe('OfflineModel through runAgent: questions and other actions', () => {
  it('answers a question with the read tool and does not act', async () => {
    const { tools, end } = await run('what is the email of the customer on order XYZ-789?');
    expect(tools.calls).toEqual([{ name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } }]);
    expect(end.text).toMatch(/^The email for order XYZ-789 is lisa\.park@example\.com\./);
  });

  it('uses what an earlier turn of the chat found out', async () => {
    const first = await run('what is the email of the customer on order XYZ-789?');
    const { tools, end } = await run('now send them a shipping confirmation', {
      tools: first.tools,
      messages: first.messages,
    });
    expect(tools.calls.map((call) => call.name)).toEqual(['crm__getCustomerEmail', 'email__sendShippingConfirmation']);
    expect(tools.calls[1]?.input).toMatchObject({
      email: 'lisa.park@example.com',
      order_details: expect.stringContaining('XYZ-789'),
    });
    expect(end.text).toContain('Sent the shipping confirmation for order XYZ-789 to lisa.park@example.com.');
  });

  it('does not carry an earlier answer over to a task about another order', async () => {
    const first = await run('what is the email of the customer on order XYZ-789?');
    const { tools } = await run('Send a shipping confirmation for order XYZ-790', {
      tools: first.tools,
      messages: first.messages,
    });
    expect(tools.calls.slice(1)).toEqual([
      { name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-790' } },
      { name: 'email__sendShippingConfirmation', input: expect.objectContaining({ email: 'omar.haddad@example.com' }) },
    ]);
  });

  it('treats "tell me" as a question, not as a message to send', async () => {
    const { tools } = await run('tell me the email for XYZ-789');
    expect(tools.calls.map((call) => call.name)).toEqual(['crm__getCustomerEmail']);
  });

  it('adds a note with the words the user gave', async () => {
    const { tools, end } = await run('Add a note to order XYZ-789: customer called about the delay');
    expect(tools.calls).toEqual([
      { name: 'notes__add_note', input: { entity_id: 'XYZ-789', text: 'customer called about the delay' } },
    ]);
    expect(end.text).toContain('Added the note for order XYZ-789.');
  });

  it('opens an issue titled after what the user reported', async () => {
    const { tools } = await run('Open a ticket: Lisa Park says her ring never arrived');
    expect(tools.calls).toEqual([
      {
        name: 'issues__create_issue',
        input: {
          title: 'Lisa Park says her ring never arrived',
          description: 'Lisa Park says her ring never arrived.',
        },
      },
    ]);
  });
});

describe('OfflineModel.stream', () => {
  const request = {
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: 'Send a shipping confirmation for order XYZ-789' },
    ] satisfies ModelMessage[],
    tools: OPS_TOOL_SPECS,
  };

  it('is deterministic and ends with exactly one finish part', async () => {
    const first = await collect(new OfflineModel().stream(request));
    const second = await collect(new OfflineModel().stream(request));
    expect(second).toEqual(first);
    expect(first.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(first.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
    expect(first.find((part) => part.type === 'tool-call')).toEqual({
      type: 'tool-call',
      call: { id: 'offline_1_1', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } },
    });
  });

  it('throws the signal reason when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(collect(new OfflineModel().stream(request, { signal: controller.signal }))).rejects.toThrow('stop');
  });

  it('asks what to do when there is no task', async () => {
    const parts = await collect(new OfflineModel().stream({ messages: [], tools: OPS_TOOL_SPECS }));
    const text = parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
    expect(text).toBe('What would you like me to do?');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });
});
