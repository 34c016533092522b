/**
 * @module The HTTP API and WebSocket of `deckhand serve`, as a Fastify app built from a runtime, so tests drive it
 * with `app.inject()` and the command only adds `listen`.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Runtime } from '../app/runtime.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import type { ApiContext } from './context.js';
import { registerErrorHandlers } from './errors.js';
import { hostGuard } from './host-guard.js';
import { RunManager } from './run-manager.js';
import { approvalRoutes } from './routes/approvals.js';
import { healthRoutes } from './routes/health.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/sessions.js';
import { streamRoutes } from './routes/stream.js';

/** Default interface: loopback only; anything else is reachable from the network. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default port of `deckhand serve`. */
export const DEFAULT_PORT = 8787;
/** Largest request body or WebSocket frame accepted. */
export const BODY_LIMIT_BYTES = 1_048_576;

/** What {@link buildApiServer} builds from. */
export interface ApiServerOptions {
  readonly runtime: Runtime;
  /** The interface the server binds; requests must name it or a loopback name in `Host`/`Origin`. Default 127.0.0.1. */
  readonly host?: string;
  /** Approve actions that would ask, for runs that do not say (`deckhand serve --yes`). Default false. */
  readonly yes?: boolean;
  /** Default: the runtime's logger. */
  readonly logger?: Logger;
}

/** The app and the runs it executes; closing the app cancels those runs and waits for them to record their end. */
export interface ApiServer {
  readonly app: FastifyInstance;
  readonly runs: RunManager;
}

/**
 * Builds the API app (not listening). Routes: see README "HTTP API". Every error response is
 * `{ error: { code, message } }`, shaped in one handler; requests naming another host get 403.
 */
export async function buildApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger ?? options.runtime.logger ?? noopLogger;
  const runs = new RunManager({ runtime: options.runtime, logger, ...(options.yes !== undefined ? { yes: options.yes } : {}) });
  const context: ApiContext = { runtime: options.runtime, runs, logger };
  // Fastify's own logger is off: requests are logged below through the injected Logger, with no bodies.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, return503OnClosing: true });
  registerErrorHandlers(app, logger);
  // The plugin goes first: its onRequest hook marks upgrade requests, so that a handshake refused by a later hook
  // (403, 400) has its raw socket destroyed; registered after them, the socket stayed open and app.close() hung.
  await app.register(fastifyWebsocket, { options: { maxPayload: BODY_LIMIT_BYTES } });
  app.addHook('onRequest', hostGuard(options.host ?? DEFAULT_HOST));
  app.addHook('onResponse', async (request, reply) => {
    logger.info({ reqId: request.id, method: request.method, url: request.routeOptions.url ?? request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  // Stop the runs before the store and servers go away; the WebSocket plugin closes its sockets in preClose.
  app.addHook('onClose', async () => runs.close());
  for (const routes of [healthRoutes, sessionRoutes, runRoutes, approvalRoutes, streamRoutes]) routes(app, context);
  await app.ready();
  return { app, runs };
}
