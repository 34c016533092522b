/**
 * @module The HTTP API, WebSockets and web UI of `deckhand serve`, as a Fastify app built from a runtime, so tests
 * drive it with `app.inject()` or a real socket and the command only adds `listen`.
 */
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Runtime } from '../app/runtime.js';
import { storedSessionEvents } from '../app/sessions.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { tokenGuard } from './auth.js';
import type { ApiContext } from './context.js';
import { registerErrorHandlers } from './errors.js';
import { hostGuard } from './host-guard.js';
import { openApiRoutes } from './openapi.js';
import { RunManager, type ScaleOut } from '../app/run-manager.js';
import type { EventFeed } from '../queue/event-feed.js';
import type { StoreFollower } from '../queue/store-follower.js';
import { getApproval } from '../app/approvals.js';
import { errorMessage } from '../shared/errors.js';
import { approvalRoutes } from './routes/approvals.js';
import { chatSocketRoutes } from './routes/chat-socket.js';
import { healthRoutes } from './routes/health.js';
import { loginRoutes } from './routes/login.js';
import { operationsRoutes } from './routes/operations.js';
import { probeRoutes } from './routes/probes.js';
import { metricsRoutes } from './routes/metrics.js';
import { runRoutes } from './routes/runs.js';
import { serverRoutes } from './routes/servers.js';
import { sessionRoutes } from './routes/sessions.js';
import { streamRoutes } from './routes/stream.js';
import { usageRoutes } from './routes/usage.js';
import { SessionStreams } from './session-streams.js';
import { registerWebUi } from './web-ui.js';

/** Default interface: loopback only; anything else is reachable from the network. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default port of `deckhand serve`. */
export const DEFAULT_PORT = 8787;
/** Largest request body or WebSocket frame accepted. */
export const BODY_LIMIT_BYTES = 1_048_576;
/** Requests per client (IP address) per minute before 429. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/**
 * The Content-Security-Policy the UI is built to pass: scripts, styles, fonts and connections (including the
 * WebSockets, which CSP level 3 covers with 'self') only from this origin, no plugins, no framing.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
} as const;

/** What {@link buildApiServer} builds from. */
export interface ApiServerOptions {
  readonly runtime: Runtime;
  /** The access token every `/api` route and WebSocket requires (see `auth.ts`). */
  readonly token: string;
  /** The interface the server binds; requests must name it or a loopback name in `Host`/`Origin`. Default 127.0.0.1. */
  readonly host?: string;
  /** Approve actions that would ask, for runs that do not say (`deckhand serve --yes`). Default false. */
  readonly yes?: boolean;
  /** Default: the runtime's logger. */
  readonly logger?: Logger;
  /** Requests per client per minute. Default {@link DEFAULT_RATE_LIMIT_PER_MINUTE}. */
  readonly rateLimitPerMinute?: number;
  /** Folder of the built UI. Default `dist/web` of the package. */
  readonly webRoot?: string;
  /** On PostgreSQL with several processes: runs go through the queue, streams follow the store. */
  readonly scaleOut?: ScaleOut & { readonly follower: StoreFollower; readonly feed: ScaleOut['feed'] & Pick<EventFeed, 'onApprovalResolved'> };
}

/** The app, the runs it executes and its session streams; closing the app cancels those runs and waits for them to record their end. */
export interface ApiServer {
  readonly app: FastifyInstance;
  readonly runs: RunManager;
  readonly streams: SessionStreams;
}

/**
 * Builds the API app (not listening). Routes: see README "HTTP API" and `/api/openapi.json`. Every error response is
 * `{ error: { code, message } }`, shaped in one handler; requests naming another host get 403, requests without
 * the token 401, more than the rate limit 429.
 */
export async function buildApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger ?? options.runtime.logger ?? noopLogger;
  const runs = new RunManager({
    runtime: options.runtime,
    logger,
    ...(options.yes !== undefined ? { yes: options.yes } : {}),
    ...(options.scaleOut ? { scaleOut: options.scaleOut } : {}),
    ...(options.runtime.settings.shutdownGraceMs !== undefined ? { shutdownGraceMs: options.runtime.settings.shutdownGraceMs } : {}),
  });
  const streams = new SessionStreams({
    runs,
    loadStored: (sessionId) => storedSessionEvents(options.runtime.store, sessionId),
    logger,
    ...(options.scaleOut ? { follower: options.scaleOut.follower } : {}),
  });
  const context: ApiContext = {
    runtime: options.runtime,
    runs,
    streams,
    logger,
    // With a scale-out every decision, made on any process or by the CLI, arrives through the feed (below), here too.
    onApprovalDecided: options.scaleOut ? () => {} : (approval) => streams.notify({ type: 'approval-resolved', sessionId: approval.sessionId, approval }),
  };
  // Approvals decided anywhere resolve their cards here: the notice names the approval, the store has it.
  const stopApprovals = options.scaleOut?.feed.onApprovalResolved((notice) => {
    getApproval(options.runtime.store, notice.approvalId).then(
      (approval) => approval && streams.notify({ type: 'approval-resolved', sessionId: approval.sessionId, approval }),
      (error: unknown) => logger.warn({ approvalId: notice.approvalId, error: errorMessage(error) }, 'reading a decided approval failed'),
    );
  });
  // Fastify's own logger is off: requests are logged below through the injected Logger, with no bodies.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, return503OnClosing: true });
  registerErrorHandlers(app, logger);
  // The plugin goes first: its onRequest hook marks upgrade requests, so that a handshake refused by a later hook
  // (403, 400) has its raw socket destroyed; registered after them, the socket stayed open and app.close() hung.
  await app.register(fastifyWebsocket, { options: { maxPayload: BODY_LIMIT_BYTES } });
  await app.register(fastifyHelmet, { contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY }, crossOriginEmbedderPolicy: false });
  await app.register(fastifyRateLimit, {
    max: options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    // The one error shape of the API, with the fix.
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `More than ${context.max} requests a minute from this client: slow down and retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
  app.addHook('onRequest', hostGuard(options.host ?? DEFAULT_HOST));
  app.addHook('onRequest', tokenGuard(options.token));
  app.addHook('onResponse', async (request, reply) => {
    logger.info({ reqId: request.id, method: request.method, url: request.routeOptions.url ?? request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  // Stop the runs before the store and servers go away; the WebSocket plugin closes its sockets in preClose.
  app.addHook('onClose', async () => {
    stopApprovals?.();
    await runs.close();
    streams.close();
  });
  for (const routes of [probeRoutes, healthRoutes, serverRoutes, sessionRoutes, runRoutes, approvalRoutes, streamRoutes, chatSocketRoutes, usageRoutes, operationsRoutes, metricsRoutes]) routes(app, context);
  loginRoutes(app, context, options.token);
  openApiRoutes(app);
  await registerWebUi(app, options.webRoot);
  await app.ready();
  return { app, runs, streams };
}
