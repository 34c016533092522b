import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../shared/errors.js';
import type { ProviderEndpoint } from '../provider-errors.js';
import type { ModelPart, ModelRequest } from '../types.js';
import { AiSdkModel } from './ai-sdk-model.js';
import type { V4StreamPart } from './v4-types.js';

const endpoint: ProviderEndpoint = {
  provider: 'openai',
  modelId: 'openai:gpt-4.1-mini',
  modelName: 'gpt-4.1-mini',
  baseUrl: 'http://127.0.0.1:9999/v1',
  apiKeyVariable: 'OPENAI_API_KEY',
  baseUrlVariable: 'OPENAI_BASE_URL',
  wireFormat: 'Chat Completions',
  baseUrlShape: 'an OpenAI-compatible /v1 base',
};

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }], tools: [] };

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

function modelStreaming(parts: V4StreamPart[]) {
  const languageModel = new MockLanguageModelV4({ doStream: { stream: convertArrayToReadableStream(parts) } });
  return { languageModel, model: new AiSdkModel({ languageModel, endpoint }) };
}

async function collect(stream: AsyncIterable<ModelPart>): Promise<ModelPart[]> {
  const parts: ModelPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

const finish = (unified: 'stop' | 'tool-calls' | 'interrupted', input = 3, output = 2): V4StreamPart => ({
  type: 'finish',
  finishReason: { unified, raw: undefined },
  usage: usage(input, output),
});

describe('AiSdkModel.stream', () => {
  it('names the model after its endpoint', () => {
    const { model } = modelStreaming([]);
    expect([model.id, model.provider, model.modelName]).toEqual(['openai:gpt-4.1-mini', 'openai', 'gpt-4.1-mini']);
  });

  it('passes text through, parses tool input and reads usage totals', async () => {
    const { model } = modelStreaming([
      { type: 'stream-start', warnings: [] },
      { type: 'text-start', id: '0' },
      { type: 'text-delta', id: '0', delta: 'Hel' },
      { type: 'text-delta', id: '0', delta: '' },
      { type: 'text-delta', id: '0', delta: 'lo' },
      { type: 'text-end', id: '0' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'crm__get', input: '{"id":"XYZ-789"}' },
      // Not ours to run: the provider executed it already.
      { type: 'tool-call', toolCallId: 'c2', toolName: 'web_search', input: '{}', providerExecuted: true },
      finish('tool-calls', 12, 5),
    ]);
    expect(await collect(model.stream(request))).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'tool-call', call: { id: 'c1', name: 'crm__get', input: { id: 'XYZ-789' } } },
      { type: 'finish', usage: { inputTokens: 12, outputTokens: 5 }, finishReason: 'tool-calls' },
    ]);
  });

  it('treats an empty argument string as no arguments', async () => {
    const { model } = modelStreaming([
      { type: 'tool-call', toolCallId: 'c1', toolName: 'health__check', input: '' },
      finish('tool-calls'),
    ]);
    const parts = await collect(model.stream(request));
    expect(parts[0]).toEqual({ type: 'tool-call', call: { id: 'c1', name: 'health__check', input: {} } });
  });

  it.each([
    ['{"id": ', 'not JSON'],
    ['["a"]', 'not a JSON object'],
  ])('fails with a ProviderError when tool arguments are %s', async (input, reason) => {
    const { model } = modelStreaming([
      { type: 'tool-call', toolCallId: 'c1', toolName: 'crm__get', input },
      finish('tool-calls'),
    ]);
    await expect(collect(model.stream(request))).rejects.toThrow(
      new ProviderError(
        `openai model returned malformed arguments for tool crm__get (${reason}): retry, or use a model with reliable tool calling`,
        undefined,
      ),
    );
  });

  it('maps missing usage to zero and an interrupted stream with output to "other"', async () => {
    const { model } = modelStreaming([
      { type: 'text-delta', id: '0', delta: 'partial' },
      {
        type: 'finish',
        finishReason: { unified: 'interrupted', raw: undefined },
        usage: {
          inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
      },
    ]);
    const parts = await collect(model.stream(request));
    expect(parts.at(-1)).toEqual({ type: 'finish', usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'other' });
  });

  it.each([
    ['an interrupted stream without any output', [finish('interrupted')]],
    ['a stream that ends without a finish part', [{ type: 'text-delta', id: '0', delta: 'x' }] as V4StreamPart[]],
  ])('reports %s as an unexpected response', async (_label, parts) => {
    const { model } = modelStreaming(parts);
    await expect(collect(model.stream(request))).rejects.toThrow(
      /^unexpected response from openai at http:\/\/127\.0\.0\.1:9999\/v1 \(not the Chat Completions format\)/,
    );
  });

  it('turns an error part into a ProviderError', async () => {
    const { model } = modelStreaming([
      { type: 'text-delta', id: '0', delta: 'so far' },
      { type: 'error', error: { message: 'Overloaded', type: 'overloaded_error', statusCode: 529 } },
    ]);
    const parts: ModelPart[] = [];
    const failure = await (async () => {
      for await (const part of model.stream(request)) parts.push(part);
    })().catch((error: unknown) => error);
    expect(parts).toEqual([{ type: 'text-delta', text: 'so far' }]);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).status).toBe(529);
  });

  it('passes the conversation, the tools and the abort signal to doStream', async () => {
    const { languageModel, model } = modelStreaming([finish('stop')]);
    const controller = new AbortController();
    const tools = [{ name: 'crm__get', description: 'd', inputSchema: { type: 'object' } }];
    await collect(model.stream({ messages: request.messages, tools }, { signal: controller.signal }));
    const [call] = languageModel.doStreamCalls;
    expect(call?.prompt).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    expect(call?.tools).toEqual([
      { type: 'function', name: 'crm__get', description: 'd', inputSchema: { type: 'object' } },
    ]);
    expect(call?.abortSignal).toBe(controller.signal);
  });

  it('throws the signal reason, without calling the provider, when already aborted', async () => {
    const { languageModel, model } = modelStreaming([finish('stop')]);
    const reason = new Error('user pressed ctrl-c');
    await expect(collect(model.stream(request, { signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
    expect(languageModel.doStreamCalls).toHaveLength(0);
  });

  it('prepare builds the provider model once, sending nothing, and the first request reuses it', async () => {
    const languageModel = new MockLanguageModelV4({ doStream: { stream: convertArrayToReadableStream([{ type: 'text-delta', id: 't', delta: 'hi' }, finish('stop')]) } });
    let loads = 0;
    const model = new AiSdkModel({
      endpoint,
      languageModel: async () => {
        loads += 1;
        return languageModel;
      },
    });
    await model.prepare();
    expect(loads).toBe(1);
    expect(languageModel.doStreamCalls).toHaveLength(0);
    expect((await collect(model.stream(request))).some((part) => part.type === 'text-delta')).toBe(true);
    expect(loads).toBe(1);
  });
});
