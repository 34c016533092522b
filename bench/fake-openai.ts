/**
 * @module The smallest valid streamed Chat Completions answers, as `@ai-sdk/openai` reads them: SSE
 * `chat.completion.chunk` frames, a finish chunk, a usage chunk with empty `choices` (the provider asks for
 * it with `stream_options.include_usage`), then `data: [DONE]`. Used two ways: served by a `node:http`
 * server for the cold-start bench, and returned by an in-memory `fetch` for the per-step bench.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const CREATED_S = 1_760_000_000;

function frame(choices: unknown[], extra: Record<string, unknown> = {}): string {
  const chunk = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED_S,
    model: 'gpt-4.1-mini',
    choices,
    ...extra,
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function completion(
  delta: Record<string, unknown>,
  finishReason: string,
  usage: { input: number; output: number },
): string {
  return (
    frame([{ index: 0, delta, logprobs: null, finish_reason: null }]) +
    frame([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]) +
    frame([], {
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    }) +
    'data: [DONE]\n\n'
  );
}

/** A final answer: one `delta.content` "done", `finish_reason: "stop"`, usage, `[DONE]`. */
export const TEXT_ANSWER_SSE = completion({ role: 'assistant', content: 'done' }, 'stop', { input: 1_200, output: 1 });

/** One complete tool call in a single chunk, `finish_reason: "tool_calls"`, usage, `[DONE]`. */
export function toolCallSse(options: { id: string; name: string; input: Record<string, unknown> }): string {
  const call = {
    index: 0,
    id: options.id,
    type: 'function',
    function: { name: options.name, arguments: JSON.stringify(options.input) },
  };
  return completion({ role: 'assistant', content: null, tool_calls: [call] }, 'tool_calls', {
    input: 1_200,
    output: 24,
  });
}

/** A `fetch` that answers every request in memory with the next body from `next()`, streamed as SSE. */
export function inMemoryFetch(next: () => string): typeof fetch {
  return async () => new Response(next(), { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** A local Chat Completions endpoint that notes when each `POST /v1/chat/completions` arrives and answers "done". */
export interface FakeOpenAIServer extends AsyncDisposable {
  /** The base URL to give as `OPENAI_BASE_URL` (ends in `/v1`). */
  readonly baseUrl: string;
  /** Resolves with `performance.now()` at the arrival of the next chat completions request. */
  nextRequest(): Promise<number>;
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAIServer> {
  let waiting: ((at: number) => void) | undefined;
  const server: Server = createServer((request, response) => {
    const at = performance.now();
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    waiting?.(at);
    waiting = undefined;
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.end(TEXT_ANSWER_SSE);
    });
  });
  const { port, close } = await listenLocal(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    nextRequest: () =>
      new Promise<number>((resolve) => {
        waiting = resolve;
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A local Chat Completions endpoint whose every answer is `words` text deltas, `wordDelayMs` apart (0: all at once). */
export interface WordStreamOpenAIServer extends AsyncDisposable {
  /** The base URL to give as `OPENAI_BASE_URL` (ends in `/v1`). */
  readonly baseUrl: string;
  /** Changed between phases: 0 for throughput (zero latency), a few ms for a stream a socket can follow live. */
  wordDelayMs: number;
  close(): Promise<void>;
}

/** Starts a {@link WordStreamOpenAIServer} on 127.0.0.1 (the word-by-word answer a provider streams). */
export async function startWordStreamOpenAI(options: { words: number }): Promise<WordStreamOpenAIServer> {
  const head = frame([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  const word = (index: number) => frame([{ index: 0, delta: { content: `word${index} ` }, logprobs: null, finish_reason: null }]);
  const tail =
    frame([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]) +
    frame([], { usage: { prompt_tokens: 10, completion_tokens: options.words, total_tokens: 10 + options.words } }) +
    'data: [DONE]\n\n';
  const state = { wordDelayMs: 0 };
  const server: Server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const delayMs = state.wordDelayMs;
      if (delayMs === 0) {
        response.end(head + Array.from({ length: options.words }, (_, index) => word(index)).join('') + tail);
        return;
      }
      response.write(head);
      let index = 0;
      const timer = setInterval(() => {
        if (response.destroyed) return clearInterval(timer);
        response.write(word(index));
        index += 1;
        if (index === options.words) {
          clearInterval(timer);
          response.end(tail);
        }
      }, delayMs);
    });
  });
  const { port, close } = await listenLocal(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get wordDelayMs() {
      return state.wordDelayMs;
    },
    set wordDelayMs(value: number) {
      state.wordDelayMs = value;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Listens on a free port of 127.0.0.1; `close` ends open connections too (a bench never waits for keep-alive). */
async function listenLocal(server: Server): Promise<{ port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { port, close };
}
