/** @module Why a call to a server failed, in the words a person (and the model) can act on. */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { McpServerConfig } from '../config/schema.js';
import { errorMessage } from '../shared/errors.js';
import type { ConnectionState } from './connection-types.js';
import { isStdio } from './server-target.js';

/** Thrown by `callTool` when the server could not answer: it crashed, timed out or is unreachable. */
export class ServerCallError extends Error {
  constructor(
    message: string,
    readonly kind: 'crashed' | 'timeout' | 'unavailable' | 'protocol',
  ) {
    super(message);
    this.name = 'ServerCallError';
  }
}

/**
 * Classifies a failed request: the server stopped (`crashed`, with its stderr tail and whether a retry can work),
 * the SDK's own timer ran out (`timeout`), or anything else the server answered (`protocol`).
 */
export function classifyCallError(options: {
  error: unknown;
  server: string;
  config: McpServerConfig;
  state: ConnectionState;
  stderrTail: string;
  timeoutMs: number;
}): ServerCallError {
  const { error, server, config, state, stderrTail, timeoutMs } = options;
  const closed = error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed;
  if (closed || state === 'restarting' || state === 'failed') {
    const next = isStdio(config) ? 'it is being restarted, so the call can be retried' : 'the call can be retried once it is reachable again';
    return new ServerCallError(`server '${server}' stopped during the call${stderrTail ? ` (stderr: ${stderrTail})` : ''}; ${next}`, 'crashed');
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
    return timeoutError(server, timeoutMs);
  }
  return new ServerCallError(`server '${server}': ${errorMessage(error)}`, 'protocol');
}

/** The error of a call that got no answer in time. */
export function timeoutError(server: string, timeoutMs: number): ServerCallError {
  return new ServerCallError(`server '${server}' did not answer within ${timeoutMs} ms`, 'timeout');
}
