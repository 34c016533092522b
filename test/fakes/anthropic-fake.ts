/**
 * @module A wire-level fake of the Anthropic Messages API (`POST /v1/messages`, `stream: true`), so tests
 * exercise the real `@ai-sdk/anthropic` code path: `message_start` with the input usage, one content block
 * per text or `tool_use` (whose `input_json_delta.partial_json` arrives in pieces), `message_delta` with the
 * stop reason and output usage, `message_stop`.
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

/** A content block of a Messages request. */
export type AnthropicBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown }
  | {
      readonly type: 'tool_result';
      readonly tool_use_id: string;
      readonly content: string | readonly { readonly type: string; readonly text?: string }[];
      readonly is_error?: boolean;
    };

/** The request body of `POST /v1/messages`. */
export interface AnthropicMessagesRequest {
  readonly model: string;
  readonly max_tokens: number;
  readonly stream?: boolean;
  readonly system?: string | readonly { readonly type: 'text'; readonly text: string }[];
  readonly messages: readonly {
    readonly role: 'user' | 'assistant';
    readonly content: string | readonly AnthropicBlock[];
  }[];
  readonly tools?: readonly { readonly name: string; readonly description?: string; readonly input_schema: unknown }[];
}

const ARGUMENT_CHUNK_CHARS = 7;

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'model: not found' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

const event = (type: string, data: Record<string, unknown>): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...data }),
});

const protocol: FakeProtocol = {
  endpoint: '/v1/messages',

  errorBody(status, message) {
    const known = ERROR_TYPES[status] ?? { type: 'api_error', message: 'Request failed.' };
    return JSON.stringify({ type: 'error', error: { type: known.type, message: message ?? known.message } });
  },

  turnEvents(turn, { requestIndex, body }) {
    const model = (body as Partial<AnthropicMessagesRequest> | undefined)?.model ?? 'unknown';
    const usage = turn.usage ?? { inputTokens: 0, outputTokens: 0 };
    const content: SseEvent[] = [
      event('message_start', {
        message: {
          id: `msg_fake_${requestIndex + 1}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Anthropic counts cache reads apart from `input_tokens`.
          usage: {
            input_tokens: usage.inputTokens - (usage.cachedInputTokens ?? 0),
            output_tokens: 1,
            ...(usage.cachedInputTokens !== undefined ? { cache_read_input_tokens: usage.cachedInputTokens } : {}),
          },
        },
      }),
      event('ping', {}),
    ];
    let index = 0;
    if (turn.text) {
      content.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const word of splitIntoWords(turn.text)) {
        content.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: word } }));
      }
      content.push(event('content_block_stop', { index }));
      index += 1;
    }
    for (const [callIndex, call] of (turn.toolCalls ?? []).entries()) {
      const id = call.id ?? `toolu_fake_${requestIndex + 1}_${callIndex}`;
      content.push(
        event('content_block_start', { index, content_block: { type: 'tool_use', id, name: call.name, input: {} } }),
      );
      // The real API opens every tool_use block with an empty partial_json.
      const pieces = ['', ...splitIntoChunks(call.rawArguments ?? JSON.stringify(call.args), ARGUMENT_CHUNK_CHARS)];
      for (const piece of pieces) {
        content.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
      }
      content.push(event('content_block_stop', { index }));
      index += 1;
    }
    const completion = [
      event('message_delta', {
        delta: { stop_reason: turn.toolCalls?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      }),
      event('message_stop', {}),
    ];
    return { content, completion };
  },

  streamErrorEvent(error) {
    return event('error', { error: { type: error.type, message: error.message } });
  },
};

/**
 * Starts a fake Anthropic Messages server on 127.0.0.1 (random port). Point the client at `${url}/v1`.
 * Each POST to `/v1/messages` plays the next turn of `script`; every request is recorded.
 */
export function startAnthropicFake(script: readonly FakeTurn[]): Promise<FakeProvider<AnthropicMessagesRequest>> {
  return startFakeProvider<AnthropicMessagesRequest>(protocol, script);
}
