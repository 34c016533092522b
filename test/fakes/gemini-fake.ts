/**
 * @module A wire-level fake of the Gemini API's streaming endpoint (`POST …/models/<model>:streamGenerateContent?alt=sse`),
 * the one `@ai-sdk/google` and `@ai-sdk/google-vertex` call: each SSE frame is a `GenerateContentResponse` with one
 * candidate, text in word-sized parts, each function call whole in its own part (Gemini does not stream arguments),
 * and the last frame carrying `finishReason` and `usageMetadata`. The same path shape serves Gemini
 * (`/v1beta/models/…`) and Vertex express mode (`/v1/publishers/google/models/…`).
 */
import { type FakeProtocol, type FakeProvider, type FakeTurn, type SseEvent, splitIntoWords, startFakeProvider } from './sse.js';

/** One part of a Gemini `Content`. */
export interface GeminiPart {
  readonly text?: string;
  readonly functionCall?: { readonly name: string; readonly args: Record<string, unknown> };
  readonly functionResponse?: { readonly name: string; readonly response: Record<string, unknown> };
}

/** The request body of `streamGenerateContent`. */
export interface GeminiRequest {
  readonly contents: readonly { readonly role: 'user' | 'model'; readonly parts: readonly GeminiPart[] }[];
  readonly systemInstruction?: { readonly parts: readonly GeminiPart[] };
  readonly tools?: readonly { readonly functionDeclarations?: readonly { readonly name: string; readonly description?: string; readonly parameters?: unknown }[] }[];
  readonly generationConfig?: Record<string, unknown>;
}

// Gemini answers a bad key with 400 INVALID_ARGUMENT, not 401; the fake keeps to the status it is told to send.
const ERRORS: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', message: 'Method doesn\'t allow unregistered callers.' },
  404: { status: 'NOT_FOUND', message: 'models/unknown is not found for API version v1beta, or is not supported for generateContent.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  500: { status: 'INTERNAL', message: 'An internal error has occurred.' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
};

const MODEL_VERSION = 'gemini-fake-001';

const protocol: FakeProtocol = {
  endpoint: /\/models\/[^/]+:streamGenerateContent$/,

  errorBody(status, message) {
    const known = ERRORS[status] ?? { status: 'UNKNOWN', message: 'Request failed.' };
    return JSON.stringify({ error: { code: status, message: message ?? known.message, status: known.status } });
  },

  turnEvents(turn) {
    const frame = (parts: GeminiPart[], extra: Record<string, unknown> = {}): SseEvent => ({
      data: JSON.stringify({
        candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
        modelVersion: MODEL_VERSION,
      }),
    });
    const content: SseEvent[] = splitIntoWords(turn.text ?? '').map((word) => frame([{ text: word }]));
    for (const call of turn.toolCalls ?? []) content.push(frame([{ functionCall: { name: call.name, args: call.args } }]));
    const usage = turn.usage ?? { inputTokens: 0, outputTokens: 0 };
    const reasoning = usage.reasoningTokens ?? 0;
    const completion: SseEvent[] = [
      {
        data: JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: {
            promptTokenCount: usage.inputTokens,
            // Gemini counts thinking apart from the answer; the SDK adds them back together as output.
            candidatesTokenCount: usage.outputTokens - reasoning,
            ...(reasoning ? { thoughtsTokenCount: reasoning } : {}),
            ...(usage.cachedInputTokens !== undefined ? { cachedContentTokenCount: usage.cachedInputTokens } : {}),
            totalTokenCount: usage.inputTokens + usage.outputTokens,
          },
          modelVersion: MODEL_VERSION,
        }),
      },
    ];
    return { content, completion };
  },

  streamErrorEvent(error) {
    return { data: JSON.stringify({ error: { code: 500, message: error.message, status: error.type } }) };
  },
};

/**
 * Starts a fake Gemini API on 127.0.0.1 (random port). Point `@ai-sdk/google` at `${url}/v1beta`, or Vertex express
 * mode at `${url}/v1/publishers/google`. Each `streamGenerateContent` POST plays the next turn; every request is recorded.
 */
export function startGeminiFake(script: readonly FakeTurn[]): Promise<FakeProvider<GeminiRequest>> {
  return startFakeProvider<GeminiRequest>(protocol, script);
}
