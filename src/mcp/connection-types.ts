/** @module The options and shapes of one MCP server connection: what callers pass in and get back. */
import type { CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, Tool } from '@modelcontextprotocol/client';
import type { Logger } from '../shared/logger.js';
import type { OAuthProvider } from './oauth.js';
import type { SharedServerProcess } from './shared-process.js';

/** How long a server may take to start and answer `initialize` and `tools/list`, milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** How long one call may go without an answer or a progress notification, milliseconds. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** Where a connection is in its life. */
export type ConnectionState = 'connecting' | 'ready' | 'restarting' | 'failed' | 'closed';

/** A tool as one server lists it. */
export interface ServerTool {
  readonly server: string;
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Tool['annotations'];
}

/**
 * Answers a server's `elicitation/create` request (a question for the user). Resolve with `accept` and the
 * content, `decline` or `cancel`; `options.signal` aborts when the server cancels the request.
 */
export type ElicitationHandler = (
  request: ElicitRequest['params'],
  options: { readonly server: string; readonly signal: AbortSignal },
) => Promise<ElicitResult>;

/**
 * Answers a server's `sampling/createMessage` request (a completion from the host's model). Throw to refuse;
 * `options.signal` aborts when the server cancels the request.
 */
export type SamplingHandler = (
  request: CreateMessageRequest['params'],
  options: { readonly server: string; readonly signal: AbortSignal },
) => Promise<CreateMessageResult>;

/** Options of a `ServerConnection`; every one is optional. */
export interface ConnectionOptions {
  readonly logger?: Logger;
  readonly connectTimeoutMs?: number;
  readonly callTimeoutMs?: number;
  /** Defaults to `deckhand` and the version in package.json. */
  readonly clientInfo?: { name: string; version: string };
  /** Called after the server's tool list changed (`notifications/tools/list_changed`) or it was re-listed after a restart. */
  readonly onToolsChanged?: (connection: { readonly name: string; readonly tools: readonly ServerTool[] }) => void;
  /**
   * Answers elicitation requests. Only when it is given does the client declare the `elicitation` capability
   * (form mode, with `applyDefaults`: schema defaults fill fields an accepted answer leaves out, SEP-1034).
   */
  readonly elicitation?: ElicitationHandler;
  /** Answers sampling requests. Only when it is given does the client declare the `sampling` capability. */
  readonly sampling?: SamplingHandler;
  /** OAuth client for an HTTP server that requires authorization; ignored for stdio servers. */
  readonly oauth?: OAuthProvider;
  /** The shared process that serves this stdio server (a built-in one); without it the server's own command is spawned. */
  readonly sharedProcess?: SharedServerProcess;
}

/** Options of the request methods: a caller's signal and a timeout that replaces the server's call timeout. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Options of `callTool`. */
export interface CallToolOptions extends RequestOptions {
  /** Called for each progress notification the server sends for this call; each one also restarts the timeout. */
  readonly onProgress?: (progress: number, total?: number, message?: string) => void;
  /** The request's `_meta` (the W3C trace context, so our servers continue the trace). */
  readonly meta?: Readonly<Record<string, string>>;
}
