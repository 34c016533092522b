/**
 * The provider layer against wire-level fakes: real HTTP, real SSE, the real `@ai-sdk/*` code paths.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolSpec } from '../src/contracts/index.js';
import { type Model, type ModelMessage, type ModelPart, resolveModel } from '../src/models/index.js';
import { ProviderError } from '../src/shared/errors.js';
import { type AnthropicBlock, type AnthropicMessagesRequest, startAnthropicFake } from './fakes/anthropic-fake.js';
import { type GeminiRequest, startGeminiFake } from './fakes/gemini-fake.js';
import { type OpenAIChatRequest, type OpenAIResponsesRequest, sentToolResults, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';

const tools: ToolSpec[] = [
  {
    name: 'crm__getCustomerEmail',
    description: 'The email address of the customer who placed an order.',
    inputSchema: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  },
];

const conversation: ModelMessage[] = [
  { role: 'system', content: 'You are Deckhand.' },
  { role: 'user', content: 'Order XYZ-789 has shipped; email the customer.' },
];

/** The transcript after the first tool call, one good result and one failed. */
const afterTools: ModelMessage[] = [
  ...conversation,
  {
    role: 'assistant',
    text: 'Looking up the customer.',
    toolCalls: [
      { id: 'call_a', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } },
      { id: 'call_b', name: 'crm__getCustomerEmail', input: { order_id: 'NOPE-1' } },
    ],
  },
  {
    role: 'tool',
    results: [
      { toolCallId: 'call_a', toolName: 'crm__getCustomerEmail', output: 'lisa.park@example.com', isError: false },
      { toolCallId: 'call_b', toolName: 'crm__getCustomerEmail', output: 'order NOPE-1 not found', isError: true },
    ],
  },
];

const toolTurn: FakeTurn = {
  text: 'Let me look that up for you.',
  toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789', note: 'a longer value to split' } }],
  usage: { inputTokens: 120, outputTokens: 18 },
};

const fakes: Array<FakeProvider<unknown>> = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** `openai:` (the Responses API) or, with `chat`, `openai-chat:` (Chat Completions), against the OpenAI fake. */
async function openai(script: FakeTurn[], { chat = false } = {}) {
  const fake = await startOpenAIFake(script);
  fakes.push(fake);
  const id = chat ? 'openai-chat:gpt-4.1-mini' : 'openai:gpt-4.1-mini';
  const model = resolveModel(id, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` });
  return { fake, model };
}

async function gemini(script: FakeTurn[]) {
  const fake = await startGeminiFake(script);
  fakes.push(fake);
  const model = resolveModel('google:gemini-2.5-flash', { GOOGLE_GENERATIVE_AI_API_KEY: 'gk-test' }, { google: { baseURL: `${fake.url}/v1beta` } });
  return { fake, model };
}

async function anthropic(script: FakeTurn[]) {
  const fake = await startAnthropicFake(script);
  fakes.push(fake);
  const model = resolveModel('anthropic:claude-sonnet-4-5', {
    ANTHROPIC_API_KEY: 'ak-test',
    ANTHROPIC_BASE_URL: `${fake.url}/v1`,
  });
  return { fake, model };
}

async function collect(model: Model, messages: ModelMessage[] = conversation): Promise<ModelPart[]> {
  const parts: ModelPart[] = [];
  for await (const part of model.stream({ messages, tools })) parts.push(part);
  return parts;
}

async function failure(model: Model): Promise<ProviderError> {
  const error = await collect(model).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const message = (error as ProviderError).message;
  // One readable line: no newline, no stack frame.
  expect(message).not.toMatch(/\n|\bat .+:\d+:\d+/);
  return error as ProviderError;
}

/** Streams until the first text arrives, then aborts; resolves with what the stream threw. */
async function abortMidStream(model: Model): Promise<{ parts: ModelPart[]; thrown: unknown }> {
  const controller = new AbortController();
  const parts: ModelPart[] = [];
  try {
    for await (const part of model.stream({ messages: conversation, tools }, { signal: controller.signal })) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort(new Error('cancelled by the test'));
    }
  } catch (thrown) {
    return { parts, thrown };
  }
  return { parts, thrown: undefined };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('openai-chat: Chat Completions over the wire', () => {
  it('streams text as several deltas, a tool call with split arguments, and usage', async () => {
    const { fake, model } = await openai([toolTurn], { chat: true });
    const parts = await collect(model);
    const texts = parts.filter((part) => part.type === 'text-delta');
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((part) => part.text).join('')).toBe('Let me look that up for you.');
    expect(parts.slice(texts.length)).toEqual([
      {
        type: 'tool-call',
        call: {
          id: 'call_1_0',
          name: 'crm__getCustomerEmail',
          input: { order_id: 'XYZ-789', note: 'a longer value to split' },
        },
      },
      { type: 'finish', usage: { inputTokens: 120, outputTokens: 18 }, finishReason: 'tool-calls' },
    ]);

    const [request] = fake.requests as Array<{
      path: string;
      headers: Record<string, unknown>;
      body: OpenAIChatRequest;
    }>;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.body).toMatchObject({
      model: 'gpt-4.1-mini',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(request?.body.messages).toEqual([
      { role: 'system', content: 'You are Deckhand.' },
      { role: 'user', content: 'Order XYZ-789 has shipped; email the customer.' },
    ]);
    expect(request?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'crm__getCustomerEmail',
          description: tools[0]?.description,
          parameters: tools[0]?.inputSchema,
        },
      },
    ]);
  });

  it('sends tool calls and their results back in the next request', async () => {
    const { fake, model } = await openai([{ text: 'Sent.', usage: { inputTokens: 200, outputTokens: 3 } }], { chat: true });
    const parts = await collect(model, afterTools);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      usage: { inputTokens: 200, outputTokens: 3 },
      finishReason: 'stop',
    });
    const body = fake.requests[0]?.body as OpenAIChatRequest;
    expect(body.messages.slice(2)).toEqual([
      {
        role: 'assistant',
        content: 'Looking up the customer.',
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'crm__getCustomerEmail', arguments: '{"order_id":"XYZ-789"}' },
          },
          {
            id: 'call_b',
            type: 'function',
            function: { name: 'crm__getCustomerEmail', arguments: '{"order_id":"NOPE-1"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'lisa.park@example.com' },
      // Chat Completions has no error flag; the SDK wraps failed results so the model can tell.
      { role: 'tool', tool_call_id: 'call_b', content: '{"error":"order NOPE-1 not found"}' },
    ]);
  });

  it('stops the request and throws the signal reason when aborted mid-stream', async () => {
    const { model } = await openai([{ text: 'Thinking about it', stall: true }], { chat: true });
    const { parts, thrown } = await abortMidStream(model);
    expect(parts[0]).toEqual({ type: 'text-delta', text: 'Thinking ' });
    expect(thrown).toEqual(new Error('cancelled by the test'));
  });

  it('accepts a base URL given as a bare origin', async () => {
    const fake = await startOpenAIFake([{ text: 'ok' }]);
    fakes.push(fake);
    const model = resolveModel('openai-chat:gpt-4.1-mini', { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/` });
    expect((await collect(model)).at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions');
  });

  it('is what openai: speaks when providers.openai.api is "chat" (a gateway without the Responses API)', async () => {
    const fake = await startOpenAIFake([{ text: 'ok' }]);
    fakes.push(fake);
    const model = resolveModel('openai:gpt-4.1-mini', { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` }, { openai: { api: 'chat' } });
    await collect(model);
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions');
  });
});

describe('openai: the Responses API over the wire', () => {
  it('streams text, a function call with split arguments, and usage from response.completed', async () => {
    const { fake, model } = await openai([
      { ...toolTurn, usage: { inputTokens: 120, outputTokens: 18, cachedInputTokens: 100, reasoningTokens: 6 } },
    ]);
    const parts = await collect(model);
    const texts = parts.filter((part) => part.type === 'text-delta');
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((part) => part.text).join('')).toBe('Let me look that up for you.');
    expect(parts.slice(texts.length)).toEqual([
      {
        type: 'tool-call',
        call: { id: 'call_1_0', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789', note: 'a longer value to split' } },
      },
      {
        type: 'finish',
        usage: { inputTokens: 120, outputTokens: 18, cachedInputTokens: 100, reasoningTokens: 6 },
        finishReason: 'tool-calls',
      },
    ]);
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/responses');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    const body = request?.body as OpenAIResponsesRequest;
    expect(body).toMatchObject({ model: 'gpt-4.1-mini', stream: true });
    expect(body.input).toEqual([
      { role: 'system', content: 'You are Deckhand.' },
      { role: 'user', content: [{ type: 'input_text', text: 'Order XYZ-789 has shipped; email the customer.' }] },
    ]);
    expect(body.tools).toMatchObject([
      { type: 'function', name: 'crm__getCustomerEmail', description: tools[0]?.description, parameters: tools[0]?.inputSchema },
    ]);
  });

  it('sends function calls and their outputs back as input items', async () => {
    const { fake, model } = await openai([{ text: 'Sent.', usage: { inputTokens: 200, outputTokens: 3 } }]);
    const parts = await collect(model, afterTools);
    expect(parts.at(-1)).toEqual({ type: 'finish', usage: { inputTokens: 200, outputTokens: 3 }, finishReason: 'stop' });
    const body = fake.requests[0]?.body as OpenAIResponsesRequest;
    expect(body.input.slice(2)).toMatchObject([
      { role: 'assistant', content: 'Looking up the customer.' },
      { type: 'function_call', call_id: 'call_a', name: 'crm__getCustomerEmail', arguments: '{"order_id":"XYZ-789"}' },
      { type: 'function_call', call_id: 'call_b', name: 'crm__getCustomerEmail', arguments: '{"order_id":"NOPE-1"}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'lisa.park@example.com' },
      { type: 'function_call_output', call_id: 'call_b' },
    ]);
    expect(sentToolResults(body)[1]).toContain('order NOPE-1 not found');
  });

  it('an error event in the middle of the stream is one readable line', async () => {
    const { model } = await openai([{ text: 'Working on', streamError: { type: 'server_error', message: 'The server had an error.' } }]);
    expect((await failure(model)).message).toMatch(/^openai .*The server had an error\./);
  });

  it('stops the request and throws the signal reason when aborted mid-stream', async () => {
    const { model } = await openai([{ text: 'Thinking about it', stall: true }]);
    const { parts, thrown } = await abortMidStream(model);
    expect(parts[0]).toEqual({ type: 'text-delta', text: 'Thinking ' });
    expect(thrown).toEqual(new Error('cancelled by the test'));
  });
});

describe('google: Gemini streamGenerateContent over the wire', () => {
  it('streams text, a whole functionCall part, and usageMetadata', async () => {
    const { fake, model } = await gemini([{ ...toolTurn, usage: { inputTokens: 120, outputTokens: 18, cachedInputTokens: 40, reasoningTokens: 5 } }]);
    const parts = await collect(model);
    const texts = parts.filter((part) => part.type === 'text-delta');
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((part) => part.text).join('')).toBe('Let me look that up for you.');
    const rest = parts.slice(texts.length);
    expect(rest).toMatchObject([
      { type: 'tool-call', call: { name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789', note: 'a longer value to split' } } },
      {
        type: 'finish',
        usage: { inputTokens: 120, outputTokens: 18, cachedInputTokens: 40, reasoningTokens: 5 },
        finishReason: 'tool-calls',
      },
    ]);
    // Gemini calls carry no id; the SDK makes one up, and it must be non-empty for the loop to match the result.
    expect((rest[0] as { call: { id: string } }).call.id).not.toBe('');
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(request?.headers['x-goog-api-key']).toBe('gk-test');
    const body = request?.body as GeminiRequest;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are Deckhand.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Order XYZ-789 has shipped; email the customer.' }] }]);
    expect(body.tools?.[0]?.functionDeclarations?.map((declaration) => declaration.name)).toEqual(['crm__getCustomerEmail']);
  });

  it('sends functionCall and functionResponse parts back in the next request', async () => {
    const { fake, model } = await gemini([{ text: 'Sent.', usage: { inputTokens: 200, outputTokens: 3 } }]);
    expect((await collect(model, afterTools)).at(-1)).toEqual({
      type: 'finish',
      usage: { inputTokens: 200, outputTokens: 3 },
      finishReason: 'stop',
    });
    const body = fake.requests[0]?.body as GeminiRequest;
    expect(body.contents.slice(1)).toMatchObject([
      {
        role: 'model',
        parts: [
          { text: 'Looking up the customer.' },
          { functionCall: { name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } } },
          { functionCall: { name: 'crm__getCustomerEmail', args: { order_id: 'NOPE-1' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'crm__getCustomerEmail', response: { content: 'lisa.park@example.com' } } },
          { functionResponse: { name: 'crm__getCustomerEmail' } },
        ],
      },
    ]);
    expect(JSON.stringify(body.contents[2]?.parts[1])).toContain('order NOPE-1 not found');
  });

  it.each([
    [400, 'google rejected the request for google:gemini-2.5-flash (400 Bad Request: API key not valid. Please pass a valid API key.)'],
    [403, 'google rejected the API key (403 Forbidden): check GOOGLE_GENERATIVE_AI_API_KEY'],
    [429, "google rate-limited the request or the quota is used up (429 Too Many Requests: Resource has been exhausted (e.g. check quota).): retry later, or check the account's plan and billing"],
    [503, 'google is unavailable (503 Service Unavailable: The model is overloaded. Please try again later.) at {origin}/v1beta: retry later'],
  ])('HTTP %i is one readable line', async (status, expected) => {
    const { fake, model } = await gemini([{ status }]);
    expect((await failure(model)).message).toBe(expected.replaceAll('{origin}', fake.url));
  });

  it('a 200 that is not the Gemini format names the base URL setting', async () => {
    const { fake, model } = await gemini([{ malformed: 'garbage-sse' }]);
    expect((await failure(model)).message).toBe(
      `unexpected response from google at ${fake.url}/v1beta (not the Gemini generateContent format): check providers.google.baseURL, which must point at a Gemini API base ending in /v1beta (the URL before /models/<model>:streamGenerateContent)`,
    );
  });
});

describe('vertex: and azure: over the wire', () => {
  it('vertex: express mode (GOOGLE_VERTEX_API_KEY) speaks the Gemini wire under /publishers/google', async () => {
    const fake = await startGeminiFake([{ text: 'ok', usage: { inputTokens: 5, outputTokens: 1 } }]);
    fakes.push(fake);
    const model = resolveModel('vertex:gemini-2.5-flash', { GOOGLE_VERTEX_API_KEY: 'vk-test' }, { vertex: { baseURL: `${fake.url}/v1/publishers/google` } });
    expect((await collect(model)).at(-1)).toEqual({ type: 'finish', usage: { inputTokens: 5, outputTokens: 1 }, finishReason: 'stop' });
    expect(fake.requests[0]?.path).toBe('/v1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(fake.requests[0]?.headers['x-goog-api-key']).toBe('vk-test');
  });

  it('azure: a deployment over the Responses API, key in the api-key header', async () => {
    const fake = await startOpenAIFake([toolTurn]);
    fakes.push(fake);
    const model = resolveModel('azure:my-deployment', { AZURE_API_KEY: 'az-test' }, { azure: { baseURL: `${fake.url}/openai/v1` } });
    expect(model.provider).toBe('azure');
    expect((await collect(model)).at(-2)).toMatchObject({ type: 'tool-call', call: { name: 'crm__getCustomerEmail' } });
    expect(fake.requests[0]?.path).toBe('/openai/v1/responses');
    expect(fake.requests[0]?.headers['api-key']).toBe('az-test');
    expect(fake.requests[0]?.body).toMatchObject({ model: 'my-deployment', stream: true });
  });
});

describe('providers settings', () => {
  it('compat: its own baseURL, headers and apiKeyEnv, not OPENAI_BASE_URL or OPENAI_API_KEY', async () => {
    const gateway = await startOpenAIFake([{ text: 'hi' }]);
    const openaiFake = await startOpenAIFake([]);
    fakes.push(gateway, openaiFake);
    const model = resolveModel(
      'compat:llama-3.1-8b',
      { OPENAI_BASE_URL: `${openaiFake.url}/v1`, OPENAI_API_KEY: 'sk-openai', GATEWAY_KEY: 'gw-secret' },
      { compat: { baseURL: `${gateway.url}/v1`, headers: { 'x-team': 'ops' }, apiKeyEnv: 'GATEWAY_KEY' } },
    );
    await collect(model);
    expect(openaiFake.requests).toHaveLength(0);
    expect(gateway.requests[0]?.path).toBe('/v1/chat/completions');
    expect(gateway.requests[0]?.headers.authorization).toBe('Bearer gw-secret');
    expect(gateway.requests[0]?.headers['x-team']).toBe('ops');
  });

  it('compat: with its own baseURL and no apiKeyEnv sends no key (the OpenAI key is not the gateway\'s)', async () => {
    const gateway = await startOpenAIFake([{ text: 'hi' }]);
    fakes.push(gateway);
    await collect(resolveModel('compat:m', { OPENAI_API_KEY: 'sk-openai' }, { compat: { baseURL: gateway.url } }));
    expect(gateway.requests[0]?.path).toBe('/v1/chat/completions');
    expect(gateway.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('openai: headers from providers.openai reach the wire', async () => {
    const fake = await startOpenAIFake([{ text: 'hi' }]);
    fakes.push(fake);
    await collect(resolveModel('openai:gpt-4.1-mini', { OPENAI_API_KEY: 'sk' }, { openai: { baseURL: `${fake.url}/v1`, headers: { 'x-org': 'acme' } } }));
    expect(fake.requests[0]?.path).toBe('/v1/responses');
    expect(fake.requests[0]?.headers['x-org']).toBe('acme');
  });
});

describe('anthropic: Messages over the wire', () => {
  it('streams text, a tool_use with split input_json_delta, and usage from message_start/message_delta', async () => {
    const { fake, model } = await anthropic([toolTurn]);
    const parts = await collect(model);
    const texts = parts.filter((part) => part.type === 'text-delta');
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.map((part) => part.text).join('')).toBe('Let me look that up for you.');
    expect(parts.slice(texts.length)).toEqual([
      {
        type: 'tool-call',
        call: {
          id: 'toolu_fake_1_0',
          name: 'crm__getCustomerEmail',
          input: { order_id: 'XYZ-789', note: 'a longer value to split' },
        },
      },
      { type: 'finish', usage: { inputTokens: 120, outputTokens: 18 }, finishReason: 'tool-calls' },
    ]);

    const [request] = fake.requests as Array<{
      path: string;
      headers: Record<string, unknown>;
      body: AnthropicMessagesRequest;
    }>;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe('ak-test');
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.body).toMatchObject({ model: 'claude-sonnet-4-5', stream: true });
    expect(request?.body.system).toEqual([{ type: 'text', text: 'You are Deckhand.' }]);
    expect(request?.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Order XYZ-789 has shipped; email the customer.' }] },
    ]);
    expect(request?.body.tools).toMatchObject([
      { name: 'crm__getCustomerEmail', description: tools[0]?.description, input_schema: tools[0]?.inputSchema },
    ]);
  });

  it('sends tool_use blocks and tool_result blocks (is_error for failures) in the next request', async () => {
    const { fake, model } = await anthropic([{ text: 'Sent.', usage: { inputTokens: 200, outputTokens: 3 } }]);
    const parts = await collect(model, afterTools);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      usage: { inputTokens: 200, outputTokens: 3 },
      finishReason: 'stop',
    });
    const body = fake.requests[0]?.body as AnthropicMessagesRequest;
    expect(body.messages.slice(1)).toMatchObject([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking up the customer.' },
          { type: 'tool_use', id: 'call_a', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } },
          { type: 'tool_use', id: 'call_b', name: 'crm__getCustomerEmail', input: { order_id: 'NOPE-1' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_a', content: 'lisa.park@example.com' },
          { type: 'tool_result', tool_use_id: 'call_b', content: 'order NOPE-1 not found', is_error: true },
        ],
      },
    ]);
    const resultBlocks = (body.messages[2]?.content ?? []) as readonly AnthropicBlock[];
    expect(resultBlocks[0]).not.toHaveProperty('is_error', true);
  });

  it('stops the request and throws the signal reason when aborted mid-stream', async () => {
    const { model } = await anthropic([{ text: 'Thinking about it', stall: true }]);
    const { parts, thrown } = await abortMidStream(model);
    expect(parts[0]).toEqual({ type: 'text-delta', text: 'Thinking ' });
    expect(thrown).toEqual(new Error('cancelled by the test'));
  });

  it('accepts ANTHROPIC_BASE_URL as a bare origin, as the Anthropic SDK does', async () => {
    const fake = await startAnthropicFake([{ text: 'ok' }]);
    fakes.push(fake);
    const model = resolveModel('anthropic:claude-sonnet-4-5', {
      ANTHROPIC_API_KEY: 'ak',
      ANTHROPIC_BASE_URL: fake.url,
    });
    expect((await collect(model)).at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests[0]?.path).toBe('/v1/messages');
  });
});

describe('compat: and ollama: over the OpenAI wire', () => {
  it('compat: sends no Authorization without a key and asks for usage in the stream', async () => {
    const fake = await startOpenAIFake([{ text: 'hi', usage: { inputTokens: 9, outputTokens: 1 } }]);
    fakes.push(fake);
    const model = resolveModel('compat:llama-3.1-8b', { OPENAI_BASE_URL: `${fake.url}/v1` });
    expect((await collect(model)).at(-1)).toEqual({
      type: 'finish',
      usage: { inputTokens: 9, outputTokens: 1 },
      finishReason: 'stop',
    });
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
    expect(fake.requests[0]?.body).toMatchObject({ model: 'llama-3.1-8b', stream_options: { include_usage: true } });
  });

  it('compat: sends OPENAI_API_KEY when there is one', async () => {
    const fake = await startOpenAIFake([{ text: 'hi' }]);
    fakes.push(fake);
    await collect(resolveModel('compat:m', { OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'gw-key' }));
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer gw-key');
  });

  it('ollama: talks to OLLAMA_BASE_URL, keyless, with usage', async () => {
    const fake = await startOpenAIFake([
      {
        toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }],
        usage: { inputTokens: 50, outputTokens: 12 },
      },
    ]);
    fakes.push(fake);
    const parts = await collect(
      resolveModel('ollama:qwen2.5', { OLLAMA_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: 'not-for-ollama' }),
    );
    expect(parts).toEqual([
      { type: 'tool-call', call: { id: 'call_1_0', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } } },
      { type: 'finish', usage: { inputTokens: 50, outputTokens: 12 }, finishReason: 'tool-calls' },
    ]);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('provider failures become one readable line', () => {
  it.each([
    [401, 'openai rejected the API key (401 Unauthorized): check OPENAI_API_KEY'],
    [403, 'openai rejected the API key (403 Forbidden): check OPENAI_API_KEY'],
    [
      404,
      'openai could not find model "gpt-4.1-mini" (404 Not Found: The model does not exist or you do not have access to it.): check the model id (--model openai-chat:gpt-4.1-mini), or OPENAI_BASE_URL (now {origin}/v1)',
    ],
    [
      405,
      'the endpoint at {origin}/v1/chat/completions does not accept this request (405 Method Not Allowed): OPENAI_BASE_URL must point at an OpenAI-compatible /v1 base (the URL before /chat/completions)',
    ],
    [
      429,
      "openai rate-limited the request or the quota is used up (429 Too Many Requests: Rate limit reached for requests.): retry later, or check the account's plan and billing",
    ],
    [
      500,
      'openai is unavailable (500 Internal Server Error: The server had an error while processing your request.) at {origin}/v1: retry later',
    ],
  ])('openai-chat HTTP %i', async (status, expected) => {
    const { fake, model } = await openai([{ status }], { chat: true });
    const error = await failure(model);
    expect(error.message).toBe(expected.replaceAll('{origin}', fake.url));
    expect(error.status).toBe(status);
    // One attempt: no SDK retries hide behind doStream, so failures are fast and costs are not doubled.
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    [401, 'anthropic rejected the API key (401 Unauthorized): check ANTHROPIC_API_KEY'],
    [
      404,
      'anthropic could not find model "claude-sonnet-4-5" (404 Not Found: model: not found): check the model id (--model anthropic:claude-sonnet-4-5), or ANTHROPIC_BASE_URL (now {origin}/v1)',
    ],
    [
      405,
      'the endpoint at {origin}/v1/messages does not accept this request (405 Method Not Allowed): ANTHROPIC_BASE_URL must point at an Anthropic Messages API base ending in /v1 (the URL before /messages)',
    ],
    [
      429,
      "anthropic rate-limited the request or the quota is used up (429 Too Many Requests: Number of request tokens has exceeded your per-minute rate limit.): retry later, or check the account's plan and billing",
    ],
    [529, 'anthropic is unavailable (529 Overloaded: Overloaded) at {origin}/v1: retry later'],
  ])('anthropic HTTP %i', async (status, expected) => {
    const { fake, model } = await anthropic([{ status }]);
    const error = await failure(model);
    expect(error.message).toBe(expected.replaceAll('{origin}', fake.url));
  });

  it.each(['html', 'garbage-sse'] as const)('a 200 that is not the provider format (%s)', async (malformed) => {
    const openaiSetup = await openai([{ malformed }], { chat: true });
    expect((await failure(openaiSetup.model)).message).toBe(
      `unexpected response from openai at ${openaiSetup.fake.url}/v1 (not the Chat Completions format): check OPENAI_BASE_URL, which must point at an OpenAI-compatible /v1 base (the URL before /chat/completions)`,
    );
    const anthropicSetup = await anthropic([{ malformed }]);
    expect((await failure(anthropicSetup.model)).message).toBe(
      `unexpected response from anthropic at ${anthropicSetup.fake.url}/v1 (not the Messages format): check ANTHROPIC_BASE_URL, which must point at an Anthropic Messages API base ending in /v1 (the URL before /messages)`,
    );
  });

  it('an error event in the middle of the stream', async () => {
    const { fake, model } = await anthropic([
      { text: 'Working on', streamError: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
    expect((await failure(model)).message).toBe(
      `anthropic is unavailable (529 Overloaded: Overloaded) at ${fake.url}/v1: retry later`,
    );
  });

  it('malformed tool arguments from the model', async () => {
    const { model } = await openai([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: {}, rawArguments: '{"order_id": "XYZ' }] },
    ]);
    expect((await failure(model)).message).toBe(
      'openai model returned malformed arguments for tool crm__getCustomerEmail (not JSON): retry, or use a model with reliable tool calling',
    );
  });

  it('nothing listening at the base URL', async () => {
    const port = await closedPort();
    const model = resolveModel('openai:gpt-4.1-mini', {
      OPENAI_API_KEY: 'sk',
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
    });
    expect((await failure(model)).message).toBe(
      `could not reach openai at http://127.0.0.1:${port}/v1 (ECONNREFUSED): check OPENAI_BASE_URL and that the server is running`,
    );
  });

  it('a base URL that points past /v1 is explained as a wrong base URL', async () => {
    const fake = await startOpenAIFake([]);
    fakes.push(fake);
    const model = resolveModel('openai:gpt-4.1-mini', {
      OPENAI_API_KEY: 'sk',
      OPENAI_BASE_URL: `${fake.url}/v1/chat/completions`,
    });
    expect((await failure(model)).message).toContain(`or OPENAI_BASE_URL (now ${fake.url}/v1/chat/completions)`);
  });
});
