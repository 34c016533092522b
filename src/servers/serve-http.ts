/**
 * @module Streamable HTTP for the built-in servers (`deckhand mcp <name> --http`).
 *
 * Built on `node:http` and the SDK's web-standard transport rather than Fastify: the transport already owns the
 * whole MCP surface of `/mcp` (POST/GET/DELETE, SSE, session ids, Accept and protocol-version checks), so a
 * framework would only add a body parser to switch off and an SSE passthrough to get right, and Fastify is not a
 * dependency of the package today. The bridge between the two is ~40 lines (`node-http-bridge.ts`).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ServerMetrics } from './shared/server-metrics.js';
import type { AddressInfo } from 'node:net';
import {
  createMcpHandler,
  isLegacyRequest,
  type McpServer,
  readRequestBody,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { errorMessage, UsageError } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { openServerDatabase } from './open-server-database.js';
import {
  allowedHostnamesFor,
  isWildcardHost,
  rebindingRejection,
  sendWebResponse,
  toWebRequest,
} from './node-http-bridge.js';
import { builtinServerOptionsFromEnv } from './registry.js';
import { assertBuiltinServerName, createBuiltinServer } from './serve-stdio.js';
import { logToolCalls } from './shared/tool-call-logging.js';
import { type ServerTracing, startServerTracing } from './shared/tracing.js';
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS } from './http-session-limits.js';

export { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS };

/** `deckhand mcp <name> --http` listens here unless told otherwise (`deckhand serve` has 8787). */
export const DEFAULT_MCP_HTTP_PORT = 8790;
export const DEFAULT_MCP_HTTP_HOST = '127.0.0.1';
/** The one path the MCP endpoint answers on. */
export const MCP_HTTP_PATH = '/mcp';
/** Where the server's Prometheus metrics are served. */
export const METRICS_PATH = '/metrics';
/** Larger POST bodies get 413 before anything is parsed. The biggest tool argument is a few KB. */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
const MAX_SWEEP_INTERVAL_MS = 60_000;

export interface ServeBuiltinHttpOptions {
  /** A built-in server name (`BUILTIN_SERVER_NAMES`). */
  readonly name: string;
  /** The SQLite file (created, migrated and seeded for this server when missing). */
  readonly dbFile: string;
  /** postgres://… to use PostgreSQL instead of `dbFile`. */
  readonly databaseUrl?: string;
  /** Interface to bind. Default `127.0.0.1`; anything else is reachable from other machines. */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it from `url`). */
  readonly port: number;
  /** Where session and tool-call lines go (stderr in the CLI); default none. */
  readonly logger?: Logger;
  /** Close sessions idle for this long. Default {@link DEFAULT_SESSION_IDLE_MS}. */
  readonly sessionIdleMs?: number;
  /** Keep at most this many sessions; opening one more closes the least recently used. Default {@link DEFAULT_MAX_SESSIONS}. */
  readonly maxSessions?: number;
  /** Where the servers' own settings (the email server's `SMTP_URL`, `SMTP_FROM`) are read, once; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Server-side spans of the tool calls; default: started from `OTEL_EXPORTER_OTLP_ENDPOINT` in `env`, else none. */
  readonly tracing?: ServerTracing;
}

/** A running HTTP server: where it listens, and how to stop it. */
export interface BuiltinHttpServer extends AsyncDisposable {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8790/mcp`. */
  readonly url: string;
  /** Stops listening, closes every session (ending their SSE streams) and then the store. Idempotent. */
  close(): Promise<void>;
}

interface Session {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  lastActiveAt: number;
  /** Requests and SSE streams of this session still open. */
  openResponses: number;
}

const jsonRpcError = (status: number, code: number, message: string, headers?: Record<string, string>): Response =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, ...(headers ? { headers } : {}) });

const isInitialize = (body: unknown): boolean =>
  Array.isArray(body)
    ? body.some(isInitialize)
    : typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';

/**
 * Serves built-in server `name` over Streamable HTTP at `/mcp`. 2025-era clients (2025-03-26 … 2025-11-25, what
 * every host speaks today) get one session, and one server instance from the registry, per `initialize`, all
 * sharing one store; SSE for answers; DELETE ends a session; an unknown or ended session gets 404 (the client then
 * starts over). Clients of the stateless 2026-07-28 revision get a fresh instance per request (`createMcpHandler`).
 * Requests whose `Host` is not this server or whose `Origin` is not a localhost origin get 403.
 *
 * @throws UsageError for an unknown server name, or when the address cannot be bound (in use, not local, privileged).
 */
export async function serveBuiltinHttp(options: ServeBuiltinHttpOptions): Promise<BuiltinHttpServer> {
  assertBuiltinServerName(options.name);
  const name = options.name;
  const host = options.host ?? DEFAULT_MCP_HTTP_HOST;
  const logger = (options.logger ?? noopLogger).child({ server: name });
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const allowedHostnames = allowedHostnamesFor(host);
  const serverOptions = builtinServerOptionsFromEnv(name, options.env ?? process.env);
  // Started here (from the environment) unless handed in; only what is started here is shut down here.
  const ownTracing = options.tracing ? undefined : await startServerTracing({ name, env: options.env ?? process.env });
  const tracing = options.tracing ?? ownTracing;
  // Standalone: migrates and seeds what this server needs.
  const store = await openServerDatabase({ name, file: options.dbFile, databaseUrl: options.databaseUrl });
  // Map order is recency order: a session is moved to the end on every request, so the first is the least recently used.
  const sessions = new Map<string, Session>();
  const metrics = new ServerMetrics(name);
  const touch = (sessionId: string, session: Session) => {
    sessions.delete(sessionId);
    sessions.set(sessionId, session);
  };
  /** Makes room for one more session: closes the least recently used idle one (or, when all are busy, the least recent). */
  const evictForNewSession = () => {
    while (sessions.size >= maxSessions) {
      const entries = [...sessions];
      const [sessionId, session] = entries.find(([, candidate]) => candidate.openResponses === 0) ?? entries[0]!;
      sessions.delete(sessionId);
      logger.debug({ sessionId, maxSessions }, 'least recently used session closed');
      void session.server.close();
    }
  };
  // The stateless 2026-07-28 revision: one fresh server per request, no session; 2025-era traffic stays on the
  // sessions below (the routing the SDK documents for isLegacyRequest).
  const modern = createMcpHandler(() => createBuiltinServer(name, store.db, serverOptions), {
    legacy: 'reject',
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    onerror: (error) => logger.warn({ error: errorMessage(error) }, 'modern request rejected'),
  });
  let origin = '';

  async function openSession(request: Request, parsedBody: unknown): Promise<Response> {
    const server = createBuiltinServer(name, store.db, serverOptions);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        evictForNewSession();
        sessions.set(sessionId, { server, transport, lastActiveAt: Date.now(), openResponses: 0 });
        logger.debug({ sessionId }, 'session opened');
      },
    });
    server.server.onclose = () => {
      if (transport.sessionId && sessions.delete(transport.sessionId))
        logger.debug({ sessionId: transport.sessionId }, 'session closed');
    };
    await server.connect(transport);
    logToolCalls({
      server,
      transport,
      logger: name,
      onToolCall: (call) => {
        metrics.record(call);
        tracing?.record(call, transport.sessionId);
        // The host's trace id, so the call's log line joins the host's trace.
        const traceId = call.traceparent?.split('-')[1];
        logger.info({ sessionId: transport.sessionId, ...call, ...(traceId ? { traceId } : {}) }, 'tool call');
      },
    });
    const response = await transport.handleRequest(request, { parsedBody });
    // A rejected initialize (malformed, or batched with other requests) opened no session: drop its server.
    if (!transport.sessionId || !sessions.has(transport.sessionId)) await server.close();
    return response;
  }

  async function post(request: Request, sessionId: string | null): Promise<Response> {
    const body = await readRequestBody(request, MAX_REQUEST_BODY_BYTES);
    if (body.tooLarge) return jsonRpcError(413, -32000, `Request body larger than ${MAX_REQUEST_BODY_BYTES} bytes.`);
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(body.text);
    } catch {
      return jsonRpcError(400, -32700, 'Parse error: the request body is not JSON.');
    }
    if (!(await isLegacyRequest(request, parsedBody))) return modern.fetch(request, { parsedBody });
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      return session ? session.transport.handleRequest(request, { parsedBody }) : sessionNotFound();
    }
    if (!isInitialize(parsedBody))
      return jsonRpcError(400, -32000, 'Bad Request: no Mcp-Session-Id header; start a session with initialize.');
    return openSession(request, parsedBody);
  }

  async function respond(request: Request): Promise<Response> {
    const rejected = rebindingRejection(request, allowedHostnames);
    if (rejected) return rejected;
    const { pathname } = new URL(request.url);
    if (pathname === METRICS_PATH && request.method === 'GET') {
      metrics.sessions.set(sessions.size);
      return metrics.response();
    }
    if (pathname !== MCP_HTTP_PATH)
      return jsonRpcError(404, -32000, `Not found: the MCP endpoint is ${MCP_HTTP_PATH}.`);
    const sessionId = request.headers.get('mcp-session-id');
    if (request.method === 'POST') return post(request, sessionId);
    if (request.method !== 'GET' && request.method !== 'DELETE') {
      return jsonRpcError(405, -32000, 'Method not allowed.', { Allow: 'GET, POST, DELETE' });
    }
    if (sessionId === null) return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required.');
    const session = sessions.get(sessionId);
    return session ? session.transport.handleRequest(request) : sessionNotFound();
  }

  const http = createServer((incoming, outgoing) => {
    const sessionId = incoming.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (session) {
      touch(sessionId as string, session);
      session.lastActiveAt = Date.now();
      session.openResponses += 1;
      outgoing.once('close', () => {
        session.openResponses -= 1;
        session.lastActiveAt = Date.now();
      });
    }
    respond(toWebRequest(incoming, origin))
      .then((response) => sendWebResponse(response, outgoing))
      .catch((error: unknown) => {
        logger.error({ error: errorMessage(error), method: incoming.method }, 'request failed');
        if (outgoing.headersSent) outgoing.destroy();
        else void sendWebResponse(jsonRpcError(500, -32603, 'Internal error.'), outgoing);
      });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await store.close();
    await ownTracing?.shutdown().catch(() => {});
    throw listenError(error, host, options.port);
  }
  const address = http.address() as AddressInfo;
  const urlHost = isWildcardHost(host)
    ? '127.0.0.1'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  origin = `http://${urlHost}:${address.port}`;
  logger.debug({ url: `${origin}${MCP_HTTP_PATH}` }, 'listening');

  const sweep = setInterval(
    () => {
      const idleSince = Date.now() - idleMs;
      for (const [sessionId, session] of sessions) {
        if (session.openResponses > 0 || session.lastActiveAt > idleSince) continue;
        logger.debug({ sessionId }, 'idle session closed');
        sessions.delete(sessionId);
        void session.server.close();
      }
    },
    Math.min(idleMs, MAX_SWEEP_INTERVAL_MS),
  );
  sweep.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(sweep);
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled([...open.map((session) => session.server.close()), modern.close()]);
      http.closeAllConnections();
      await stopped;
      await store.close();
      await ownTracing?.shutdown().catch(() => {});
    })());
  return { url: `${origin}${MCP_HTTP_PATH}`, close, [Symbol.asyncDispose]: close };
}

/** The spec's answer to an unknown or terminated session: 404, so the client starts a new one. */
function sessionNotFound(): Response {
  return jsonRpcError(
    404,
    -32001,
    'Session not found: it ended or never existed. Start a new session with initialize.',
  );
}

function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UsageError(
      `Port ${port} on ${host} is in use. Pick another with --port, or --port 0 for any free port.`,
      { cause: error },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UsageError(`Cannot listen on ${host}: it is not an address of this machine.`, { cause: error });
  if (code === 'EACCES')
    return new UsageError(`Not allowed to listen on port ${port}; use a port above 1023.`, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
