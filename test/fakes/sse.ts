/**
 * @module Shared machinery of the wire-level provider fakes: a real `node:http` server on 127.0.0.1 that
 * records every request and answers each POST to the provider's endpoint with the next scripted turn,
 * streamed as server-sent events. The protocol files (`openai-fake.ts`, `anthropic-fake.ts`) only say how a
 * turn looks on their wire.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tool call the fake model makes: `args` is JSON-encoded and streamed in several pieces. */
export interface FakeToolCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** Defaults to a per-request id such as `call_2_0`. */
  readonly id?: string;
  /** Sent instead of `JSON.stringify(args)`, to script a model that emits broken arguments. */
  readonly rawArguments?: string;
}

/** A successful streamed answer. */
export interface StreamTurn {
  readonly text?: string;
  readonly toolCalls?: readonly FakeToolCall[];
  readonly usage?: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    /** Of the input, read from the prompt cache (`prompt_tokens_details.cached_tokens` / `cache_read_input_tokens`). */
    readonly cachedInputTokens?: number;
    /** Of the output, spent reasoning (`completion_tokens_details.reasoning_tokens`; OpenAI only). */
    readonly reasoningTokens?: number;
  };
  /** Stream the content, then hold the response open without finishing (for abort tests). */
  readonly stall?: boolean;
  /** Stream the content, then an `error` event from the provider instead of the finish. */
  readonly streamError?: { readonly type: string; readonly message: string };
}

/** An HTTP error answer; `body` defaults to the provider's own error JSON for that status. */
export interface ErrorTurn {
  readonly status: number;
  readonly message?: string;
  readonly body?: string;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A provider that takes the request and never answers (not even the status line). */
export interface HangTurn {
  readonly hang: true;
}

/** A 200 answer that is not the provider's format: an HTML page, or an SSE stream of non-JSON data. */
export interface MalformedTurn {
  readonly malformed: 'html' | 'garbage-sse';
}

/** One scripted answer; the fake plays them in order, one per request to its endpoint. */
export type FakeTurn = StreamTurn | ErrorTurn | MalformedTurn | HangTurn;

/** A request the fake received, with its parsed JSON body. */
export interface RecordedRequest<Body> {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Body;
}

/** A running fake provider. `url` is the origin (`http://127.0.0.1:PORT`); the API lives under `/v1`. */
export interface FakeProvider<Body> {
  readonly url: string;
  readonly requests: RecordedRequest<Body>[];
  close(): Promise<void>;
}

/** One server-sent event. */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

/** What a protocol may look at when it renders a turn. */
export interface TurnContext {
  /** 0-based index of the scripted request. */
  readonly requestIndex: number;
  /** The parsed request body. */
  readonly body: unknown;
  /** The request path without the query (`/v1/responses`), for protocols with several endpoints. */
  readonly path: string;
  /** The query string's parameters (`alt=sse`). */
  readonly query: URLSearchParams;
}

/** How one provider's wire format renders turns. */
export interface FakeProtocol {
  /** The endpoint that takes scripted turns, e.g. `/v1/chat/completions`, or a pattern for several. */
  readonly endpoint: string | RegExp;
  /** The provider's error JSON for a status; `message` defaults to what the provider says for it. */
  errorBody(status: number, message?: string): string;
  /** The events of a turn: `content` (text, tool calls) and `completion` (finish reason, usage, end marker). */
  turnEvents(
    turn: StreamTurn,
    context: TurnContext,
  ): {
    content: SseEvent[];
    completion: SseEvent[];
  };
  /** The event a provider sends when it fails mid-stream. */
  streamErrorEvent(error: { type: string; message: string }, context: TurnContext): SseEvent;
}

/**
 * A script: the turns in order, one per request, or a function choosing each request's turn from its body (for
 * many concurrent conversations, whose requests arrive in no set order); undefined means no turn is left.
 */
export type FakeScript = readonly FakeTurn[] | ((request: { readonly index: number; readonly body: unknown }) => FakeTurn | undefined);

/** Starts a fake provider speaking `protocol` and answering with `script`, one turn per request. */
export async function startFakeProvider<Body>(
  protocol: FakeProtocol,
  script: FakeScript,
): Promise<FakeProvider<Body>> {
  const requests: RecordedRequest<Body>[] = [];
  let turnIndex = 0;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = (raw ? safeJson(raw) : undefined) as Body;
      const path = request.url ?? '/';
      requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });

      // Real providers answer other paths and methods with 404 / 405; so does the fake, without using a turn.
      const [pathname = '/', search = ''] = path.split('?', 2);
      const matches = typeof protocol.endpoint === 'string' ? pathname === protocol.endpoint : protocol.endpoint.test(pathname);
      if (!matches) {
        return sendJson(response, 404, protocol.errorBody(404, `Invalid URL (${request.method} ${path})`));
      }
      if (request.method !== 'POST') {
        return sendJson(response, 405, protocol.errorBody(405, 'Method Not Allowed'));
      }
      const requestIndex = turnIndex;
      const turn = typeof script === 'function' ? script({ index: turnIndex, body }) : script[turnIndex];
      turnIndex += 1;
      if (!turn) {
        const message = `deckhand fake: no scripted turn ${requestIndex + 1}${typeof script === 'function' ? '' : ` (scripted ${script.length})`}`;
        return sendJson(response, 500, protocol.errorBody(500, message));
      }
      if ('status' in turn) {
        return sendJson(response, turn.status, turn.body ?? protocol.errorBody(turn.status, turn.message), turn.headers);
      }
      if ('hang' in turn) return; // left open until the client goes away or the fake closes
      if ('malformed' in turn) return sendMalformed(response, turn.malformed);
      const context = { requestIndex, body, path: pathname, query: new URLSearchParams(search) };
      const { content, completion } = protocol.turnEvents(turn, context);
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of content) writeEvent(response, event);
      if (turn.stall) return; // left open until the client goes away or the fake closes
      if (turn.streamError) writeEvent(response, protocol.streamErrorEvent(turn.streamError, context));
      else for (const event of completion) writeEvent(response, event);
      response.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Stalled streams would otherwise keep close() waiting forever.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Splits text into pieces of at most `size` characters, so the client must reassemble them. */
export function splitIntoChunks(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/** Splits text into word-sized deltas, as models stream it. */
export function splitIntoWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function writeEvent(response: ServerResponse, event: SseEvent): void {
  response.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`);
}

function sendJson(response: ServerResponse, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

function sendMalformed(response: ServerResponse, kind: MalformedTurn['malformed']): void {
  if (kind === 'html') {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>\n');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end('data: <html>this is not JSON</html>\n\n');
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
