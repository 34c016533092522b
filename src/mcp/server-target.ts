/** @module What a configured server is, for code and for people: stdio or HTTP, its target, why it did not start. */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { McpServerConfig, StdioServerConfig } from '../config/schema.js';
import { errorMessage } from '../shared/errors.js';
import { redactUrl } from '../shared/redact.js';

/** Whether the server is started as a process (`command`) rather than reached at a URL. */
export function isStdio(config: McpServerConfig): config is StdioServerConfig {
  return 'command' in config;
}

/** The server's command line or URL, for people and logs: a URL's password and token parameters are redacted. */
export function describeTarget(config: McpServerConfig): string {
  return isStdio(config) ? [config.command, ...config.args].join(' ') : redactUrl(config.url);
}

/** One line saying why a server did not start, with the fix for the common causes. */
export function describeStartFailure(config: McpServerConfig, error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (isStdio(config) && code === 'ENOENT') {
    return `command '${config.command}' was not found; check the path or install it (${errorMessage(error)})`;
  }
  if (isStdio(config) && code === 'EACCES') {
    return `command '${config.command}' is not executable (${errorMessage(error)})`;
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed) {
    return 'the server exited before completing the MCP handshake';
  }
  return errorMessage(error);
}
