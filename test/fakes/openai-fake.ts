/**
 * @module A wire-level fake of the OpenAI Chat Completions API (`POST /v1/chat/completions`, `stream: true`),
 * so tests exercise the real `@ai-sdk/openai` code path: `chat.completion.chunk` SSE frames, tool-call
 * arguments split across chunks, a usage chunk with empty `choices` (only when `stream_options.include_usage`
 * asks for it, as OpenAI does), then `data: [DONE]`.
 */
import {
  type FakeProtocol,
  type FakeProvider,
  type FakeTurn,
  type SseEvent,
  splitIntoChunks,
  splitIntoWords,
  startFakeProvider,
} from './sse.js';

/** A Chat Completions message as the client sends it. */
export interface OpenAIChatMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content?: string | null | readonly { readonly type: string; readonly text?: string }[];
  readonly tool_calls?: readonly {
    readonly id: string;
    readonly type: 'function';
    readonly function: { readonly name: string; readonly arguments: string };
  }[];
  readonly tool_call_id?: string;
}

/** The request body of `POST /v1/chat/completions`. */
export interface OpenAIChatRequest {
  readonly model: string;
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly messages: readonly OpenAIChatMessage[];
  readonly tools?: readonly {
    readonly type: 'function';
    readonly function: { readonly name: string; readonly description?: string; readonly parameters: unknown };
  }[];
}

/** How many characters of tool arguments go in one chunk: small, so every call arrives in pieces. */
const ARGUMENT_CHUNK_CHARS = 7;
const CREATED_S = 1_760_000_000;

const ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message:
      'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
  },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request.' },
};

const protocol: FakeProtocol = {
  endpoint: '/v1/chat/completions',

  errorBody(status, message) {
    const known = ERRORS[status] ?? { type: 'invalid_request_error', code: null, message: 'Request failed.' };
    return JSON.stringify({
      error: { message: message ?? known.message, type: known.type, param: null, code: known.code },
    });
  },

  turnEvents(turn, { requestIndex, body }) {
    const request = body as Partial<OpenAIChatRequest> | undefined;
    const id = `chatcmpl-fake-${requestIndex + 1}`;
    const model = request?.model ?? 'unknown';
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
      data: JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED_S, model, choices, ...extra }),
    });
    const delta = (value: Record<string, unknown>, finishReason: string | null = null) =>
      chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);

    const content: SseEvent[] = [delta({ role: 'assistant', content: '' })];
    for (const word of splitIntoWords(turn.text ?? '')) content.push(delta({ content: word }));
    for (const [index, call] of (turn.toolCalls ?? []).entries()) {
      const callId = call.id ?? `call_${requestIndex + 1}_${index}`;
      content.push(
        delta({ tool_calls: [{ index, id: callId, type: 'function', function: { name: call.name, arguments: '' } }] }),
      );
      for (const piece of splitIntoChunks(call.rawArguments ?? JSON.stringify(call.args), ARGUMENT_CHUNK_CHARS)) {
        content.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    }

    const finishReason = turn.toolCalls?.length ? 'tool_calls' : 'stop';
    const completion: SseEvent[] = [delta({}, finishReason)];
    if (request?.stream_options?.include_usage) {
      const usage = turn.usage ?? { inputTokens: 0, outputTokens: 0 };
      completion.push(
        chunk([], {
          usage: {
            prompt_tokens: usage.inputTokens,
            completion_tokens: usage.outputTokens,
            total_tokens: usage.inputTokens + usage.outputTokens,
            ...(usage.cachedInputTokens !== undefined ? { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } } : {}),
            ...(usage.reasoningTokens !== undefined ? { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } } : {}),
          },
        }),
      );
    }
    completion.push({ data: '[DONE]' });
    return { content, completion };
  },

  streamErrorEvent(error) {
    return { data: JSON.stringify({ error: { message: error.message, type: error.type, param: null, code: null } }) };
  },
};

/**
 * Starts a fake OpenAI Chat Completions server on 127.0.0.1 (random port). Point the client at `${url}/v1`.
 * Each POST to `/v1/chat/completions` plays the next turn of `script`; every request is recorded.
 */
export function startOpenAIFake(script: readonly FakeTurn[]): Promise<FakeProvider<OpenAIChatRequest>> {
  return startFakeProvider<OpenAIChatRequest>(protocol, script);
}
