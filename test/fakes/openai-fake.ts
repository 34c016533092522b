/**
 * @module A wire-level fake of the OpenAI API's two streaming endpoints, so tests exercise the real `@ai-sdk/openai`
 * code paths:
 * - the Responses API (`POST /v1/responses`, what `openai:` speaks): `response.created`, an output item per message
 *   and function call with `response.output_text.delta` / `response.function_call_arguments.delta` in pieces,
 *   `response.output_item.done`, then `response.completed` carrying the usage;
 * - Chat Completions (`POST /v1/chat/completions`, `openai-chat:`, `compat:`, `ollama:`): `chat.completion.chunk`
 *   frames, tool-call arguments split across chunks, a usage chunk with empty `choices` (only when
 *   `stream_options.include_usage` asks for it, as OpenAI does), then `data: [DONE]`.
 */
import {
  type FakeProtocol,
  type FakeProvider,
  type FakeScript,
  type SseEvent,
  type StreamTurn,
  type TurnContext,
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

/** One input item of a Responses API request (the subset Deckhand sends). */
export type OpenAIResponsesInputItem =
  | { readonly role: 'system' | 'developer' | 'user' | 'assistant'; readonly content: string | readonly { readonly type: string; readonly text?: string }[] }
  | { readonly type: 'function_call'; readonly call_id: string; readonly name: string; readonly arguments: string }
  | { readonly type: 'function_call_output'; readonly call_id: string; readonly output: string | readonly unknown[] };

/** The request body of `POST /v1/responses`. */
export interface OpenAIResponsesRequest {
  readonly model: string;
  readonly stream?: boolean;
  readonly input: readonly OpenAIResponsesInputItem[];
  readonly tools?: readonly { readonly type: 'function'; readonly name: string; readonly description?: string; readonly parameters: unknown }[];
}

/** A request to either endpoint; tell them apart by the recorded path, or with {@link isResponsesRequest}. */
export type OpenAIRequest = OpenAIChatRequest | OpenAIResponsesRequest;

/** Whether a recorded body is a Responses API request (it has `input`, not `messages`). */
export function isResponsesRequest(body: unknown): body is OpenAIResponsesRequest {
  return typeof body === 'object' && body !== null && Array.isArray((body as { input?: unknown }).input);
}

/** The names of the tools a request offered, whichever endpoint it went to. */
export function offeredToolNames(body: unknown): string[] {
  if (isResponsesRequest(body)) return (body.tools ?? []).map((tool) => tool.name);
  return ((body as OpenAIChatRequest | undefined)?.tools ?? []).map((tool) => tool.function.name);
}

/** A message content as plain text: a string as is, the text parts of an array joined, anything else as JSON. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((part) => typeof (part as { text?: unknown }).text === 'string')) {
    return content.map((part) => (part as { text: string }).text).join('');
  }
  return JSON.stringify(content);
}

/** The tool results a request sent back to the model, as text, whichever endpoint it went to. */
export function sentToolResults(body: unknown): string[] {
  if (isResponsesRequest(body)) {
    return body.input.flatMap((item) => ('type' in item && item.type === 'function_call_output' ? [contentText(item.output)] : []));
  }
  return ((body as OpenAIChatRequest | undefined)?.messages ?? []).flatMap((message) => (message.role === 'tool' ? [contentText(message.content)] : []));
}

/** The result a request sent back for one tool call id, as text; undefined when it sent none. */
export function sentToolResult(body: unknown, callId: string): string | undefined {
  if (isResponsesRequest(body)) {
    const item = body.input.find((entry) => 'type' in entry && entry.type === 'function_call_output' && entry.call_id === callId);
    return item && 'output' in item ? contentText(item.output) : undefined;
  }
  const message = ((body as OpenAIChatRequest | undefined)?.messages ?? []).find((entry) => entry.role === 'tool' && entry.tool_call_id === callId);
  return message ? contentText(message.content) : undefined;
}

/** The text of every message a request sent (system, user, assistant, tool), whichever endpoint; `''` for a bare tool call. */
export function sentTexts(body: unknown): string[] {
  if (isResponsesRequest(body)) {
    return body.input.map((item) => ('role' in item ? contentText(item.content) : item.type === 'function_call_output' ? contentText(item.output) : ''));
  }
  return ((body as OpenAIChatRequest | undefined)?.messages ?? []).map((message) => (message.content ? contentText(message.content) : ''));
}

/**
 * Every message of a request as `role: text` lines, whichever endpoint; a Responses API function call is an
 * `assistant: name(arguments)` line of its own, and `developer` reads as `system`.
 */
export function sentTranscript(body: unknown): string[] {
  if (isResponsesRequest(body)) {
    return body.input.map((item) => {
      if ('role' in item) return `${item.role === 'developer' ? 'system' : item.role}: ${contentText(item.content)}`;
      if (item.type === 'function_call') return `assistant: ${item.name}(${item.arguments})`;
      return `tool: ${contentText(item.output)}`;
    });
  }
  return ((body as OpenAIChatRequest | undefined)?.messages ?? []).map((message) => `${message.role}: ${contentText(message.content)}`);
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
  // Azure OpenAI serves the same API under /openai/v1.
  endpoint: /^(?:\/openai)?\/v1\/(?:chat\/completions|responses)$/,

  errorBody(status, message) {
    const known = ERRORS[status] ?? { type: 'invalid_request_error', code: null, message: 'Request failed.' };
    return JSON.stringify({
      error: { message: message ?? known.message, type: known.type, param: null, code: known.code },
    });
  },

  turnEvents(turn, context) {
    return context.path.endsWith('/responses') ? responsesEvents(turn, context) : chatEvents(turn, context);
  },

  streamErrorEvent(error, context) {
    if (context.path.endsWith('/responses')) {
      return { event: 'error', data: JSON.stringify({ type: 'error', sequence_number: 0, code: error.type, message: error.message, param: null }) };
    }
    return { data: JSON.stringify({ error: { message: error.message, type: error.type, param: null, code: null } }) };
  },
};

function chatEvents(turn: StreamTurn, { requestIndex, body }: TurnContext): { content: SseEvent[]; completion: SseEvent[] } {
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
}

/** A turn as Responses API events: one output item per message and function call, the usage in `response.completed`. */
function responsesEvents(turn: StreamTurn, { requestIndex, body }: TurnContext): { content: SseEvent[]; completion: SseEvent[] } {
  const request = body as Partial<OpenAIResponsesRequest> | undefined;
  const responseId = `resp_fake_${requestIndex + 1}`;
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...fields }),
  });
  const response = (status: string, extra: Record<string, unknown> = {}) => ({
    id: responseId,
    object: 'response',
    created_at: CREATED_S,
    model: request?.model ?? 'unknown',
    status,
    output: [],
    ...extra,
  });

  const content: SseEvent[] = [event('response.created', { response: response('in_progress') })];
  let outputIndex = 0;
  if (turn.text) {
    const itemId = `msg_fake_${requestIndex + 1}`;
    const index = outputIndex++;
    content.push(
      event('response.output_item.added', { output_index: index, item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] } }),
    );
    for (const word of splitIntoWords(turn.text)) {
      content.push(event('response.output_text.delta', { item_id: itemId, output_index: index, content_index: 0, delta: word, logprobs: [] }));
    }
    content.push(
      event('response.output_item.done', {
        output_index: index,
        item: { type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: turn.text, annotations: [] }] },
      }),
    );
  }
  for (const [callIndex, call] of (turn.toolCalls ?? []).entries()) {
    const index = outputIndex++;
    const itemId = `fc_fake_${requestIndex + 1}_${callIndex}`;
    const callId = call.id ?? `call_${requestIndex + 1}_${callIndex}`;
    const argumentsText = call.rawArguments ?? JSON.stringify(call.args);
    const item = { type: 'function_call', id: itemId, call_id: callId, name: call.name };
    content.push(event('response.output_item.added', { output_index: index, item: { ...item, arguments: '', status: 'in_progress' } }));
    for (const piece of splitIntoChunks(argumentsText, ARGUMENT_CHUNK_CHARS)) {
      content.push(event('response.function_call_arguments.delta', { item_id: itemId, output_index: index, delta: piece }));
    }
    content.push(event('response.output_item.done', { output_index: index, item: { ...item, arguments: argumentsText, status: 'completed' } }));
  }
  const usage = turn.usage ?? { inputTokens: 0, outputTokens: 0 };
  const completion: SseEvent[] = [
    event('response.completed', {
      response: response('completed', {
        incomplete_details: null,
        usage: {
          input_tokens: usage.inputTokens,
          input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
          output_tokens: usage.outputTokens,
          output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
          total_tokens: usage.inputTokens + usage.outputTokens,
        },
      }),
    }),
  ];
  return { content, completion };
}

/**
 * Starts a fake OpenAI server on 127.0.0.1 (random port). Point the client at `${url}/v1`. Each POST to
 * `/v1/responses` or `/v1/chat/completions` plays the next turn of `script` in that endpoint's format; every
 * request is recorded. Azure OpenAI's paths (`/openai/v1/…`) are answered the same way.
 */
export function startOpenAIFake(script: FakeScript): Promise<FakeProvider<OpenAIRequest>> {
  return startFakeProvider<OpenAIRequest>(protocol, script);
}
