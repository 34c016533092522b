import { describe, expect, it } from 'vitest';
import type { ModelMessage } from '../types.js';
import { toV4Prompt, toV4Tools } from './convert-prompt.js';

describe('toV4Prompt', () => {
  const user = (content: string): ModelMessage => ({ role: 'user', content });
  const fresh = (messages: readonly ModelMessage[]) => toV4Prompt([...messages]);

  it('converts a transcript that grows by appending the same as converting it afresh, without changing earlier prompts', () => {
    const messages: ModelMessage[] = [{ role: 'system', content: 'You are Deckhand.' }, user('one')];
    const first = toV4Prompt(messages);
    messages.push({ role: 'assistant', text: 'two', toolCalls: [] }, user('three'));
    const second = toV4Prompt(messages);
    expect(second).toEqual(fresh(messages));
    expect(second).toHaveLength(4);
    // The first request's prompt is its own array: a provider that kept it does not see it grow.
    expect(first).toHaveLength(2);
    expect(second).not.toBe(first);
  });

  it('converts afresh a transcript that changed other than by appending', () => {
    const messages: ModelMessage[] = [user('one'), user('two'), user('three')];
    toV4Prompt(messages);
    messages[2] = user('replaced');
    expect(toV4Prompt(messages)).toEqual(fresh(messages));
    messages.length = 1;
    expect(toV4Prompt(messages)).toEqual(fresh(messages));
  });

  it('converts every role, with tool calls and tool results linked by id', () => {
    const messages: ModelMessage[] = [
      { role: 'system', content: 'You are Deckhand.' },
      { role: 'user', content: 'Email the customer of XYZ-789.' },
      {
        role: 'assistant',
        text: 'Looking it up.',
        toolCalls: [{ id: 'call_1', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } }],
      },
      {
        role: 'tool',
        results: [
          { toolCallId: 'call_1', toolName: 'crm__getCustomerEmail', output: 'lisa.park@example.com', isError: false },
        ],
      },
    ];
    expect(toV4Prompt(messages)).toEqual([
      { role: 'system', content: 'You are Deckhand.' },
      { role: 'user', content: [{ type: 'text', text: 'Email the customer of XYZ-789.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking it up.' },
          {
            type: 'tool-call',
            toolCallId: 'call_1',
            toolName: 'crm__getCustomerEmail',
            input: { order_id: 'XYZ-789' },
          },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'crm__getCustomerEmail',
            output: { type: 'text', value: 'lisa.park@example.com' },
          },
        ],
      },
    ]);
  });

  it('marks failed tool results as error-text so providers can flag them', () => {
    const [message] = toV4Prompt([
      { role: 'tool', results: [{ toolCallId: 'c', toolName: 't', output: 'order not found', isError: true }] },
    ]);
    expect(message).toEqual({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'c',
          toolName: 't',
          output: { type: 'error-text', value: 'order not found' },
        },
      ],
    });
  });

  it('sends no empty text part for a turn that only called tools, and drops an empty assistant turn', () => {
    const prompt = toV4Prompt([
      { role: 'assistant', text: '', toolCalls: [{ id: 'c', name: 't', input: {} }] },
      { role: 'assistant', text: '', toolCalls: [] },
    ]);
    expect(prompt).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 't', input: {} }] },
    ]);
  });
});

describe('toV4Tools', () => {
  it('offers MCP tools as function tools with their JSON schema', () => {
    const inputSchema = { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] };
    expect(
      toV4Tools([
        {
          name: 'crm__getCustomerEmail',
          description: 'Email of an order',
          inputSchema,
          annotations: { readOnlyHint: true },
        },
      ]),
    ).toEqual([{ type: 'function', name: 'crm__getCustomerEmail', description: 'Email of an order', inputSchema }]);
  });

  it('returns undefined for no tools (OpenAI rejects an empty tools array)', () => {
    expect(toV4Tools([])).toBeUndefined();
  });
});
