/**
 * @module How a server is reached: a process over stdio (in its own process group), or a URL over Streamable
 * HTTP with the spec's fallback to the legacy HTTP+SSE transport.
 */
import { type Client, SSEClientTransport, StreamableHTTPClientTransport, type Transport, UnauthorizedError } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, type StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { HttpServerConfig, StdioServerConfig } from '../config/schema.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { AuthorizationRequiredError, connectAuthorized } from './authorization.js';
import type { OAuthProvider } from './oauth.js';
import { ProcessGroupStdioTransport } from './group-stdio-transport.js';

/** Connects a new client over `transport` (with the connection's timeout and capabilities). */
export type ConnectWith = (transport: Transport) => Promise<Client>;

/** The transport of a stdio server; its stderr goes to `onStderr`. */
export function createStdioTransport(config: StdioServerConfig, onStderr: (chunk: Buffer) => void): StdioClientTransport {
  // In a process group of its own, killed whole when the transport closes (see process-group.ts).
  const transport = new ProcessGroupStdioTransport({
    command: config.command,
    args: config.args,
    env: { ...getDefaultEnvironment(), ...config.env },
    ...(config.cwd ? { cwd: config.cwd } : {}),
    stderr: 'pipe',
  });
  transport.stderr?.on('data', onStderr);
  return transport;
}

/**
 * Connects to a remote server: Streamable HTTP, or legacy SSE when `type` is `sse` or when an untyped server
 * refuses the Streamable HTTP POST. The configured headers go on every request; `oauth` answers a 401.
 */
export async function connectHttp(options: {
  server: string;
  config: HttpServerConfig;
  oauth: OAuthProvider | undefined;
  connectWith: ConnectWith;
  logger: Logger;
}): Promise<Client> {
  const { server, config, oauth, connectWith, logger } = options;
  const url = new URL(config.url);
  // Notes the server's OAuth challenge: without credentials to answer it, the SDK would report only a status code.
  let challenge: string | undefined;
  const noteChallenge: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 401) challenge = response.headers.get('www-authenticate') ?? challenge;
    return response;
  };
  const transportOptions = { requestInit: { headers: config.headers }, fetch: noteChallenge, ...(oauth ? { authProvider: oauth } : {}) };
  const sse = () => connectAuthorized({ oauth, connectWith, createTransport: () => new SSEClientTransport(url, transportOptions) });
  try {
    if (config.type === 'sse') return await sse();
    try {
      return await connectAuthorized({ oauth, connectWith, createTransport: () => new StreamableHTTPClientTransport(url, transportOptions) });
    } catch (error) {
      // Servers from before the 2025-03-26 revision only speak HTTP+SSE; the spec's backwards-compatibility
      // rule is to try Streamable HTTP first and fall back when the POST is refused. A refused authorization
      // is an answer from a Streamable HTTP server, not a sign of an old one.
      if (config.type !== undefined || error instanceof UnauthorizedError || challenge !== undefined) throw error;
      logger.info({ error: errorMessage(error) }, 'Streamable HTTP refused; trying legacy SSE');
      return await sse();
    }
  } catch (error) {
    if (error instanceof AuthorizationRequiredError || challenge === undefined) throw error;
    const scheme = challenge.split(/\s/, 1)[0] || 'a challenge';
    throw new AuthorizationRequiredError(server, `401 with WWW-Authenticate: ${scheme}${oauth ? '; the stored login no longer works' : ''}`);
  }
}
