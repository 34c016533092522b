/**
 * @module OAuth on a live connection: when a remote server answers 401 (or a 403 `insufficient_scope` step-up)
 * and an `OAuthProvider` is set, the SDK starts the authorization; this finishes it and retries once.
 */
import { type Client, SSEClientTransport, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type { Transport } from '@modelcontextprotocol/client';
import { AppError } from '../shared/errors.js';
import type { OAuthProvider } from './oauth.js';

/**
 * A remote server wants an authorization Deckhand does not have (a 401 with `WWW-Authenticate`, or stored tokens that
 * can no longer be refreshed). The message names the command that gets one.
 */
export class AuthorizationRequiredError extends AppError {
  readonly code = 'MCP_LOGIN_REQUIRED';
  constructor(
    readonly server: string,
    reason: string,
  ) {
    super(`server '${server}' requires authorization (${reason}): run \`deckhand mcp login ${server}\``);
  }
}

/** An HTTP transport the SDK can finish an authorization on. */
export type AuthorizableTransport = StreamableHTTPClientTransport | SSEClientTransport;

/** The authorization the SDK started while `error` happened, when the error asks for one and there is a provider. */
export function pendingAuthorization(oauth: OAuthProvider | undefined, error: unknown): Promise<URLSearchParams> | undefined {
  if (!oauth || !(error instanceof UnauthorizedError)) return undefined;
  return oauth.takeAuthorizationResponse();
}

/** Connects; when the server demands authorization first, completes it and connects again on a new transport. */
export async function connectAuthorized(options: {
  oauth: OAuthProvider | undefined;
  createTransport: () => AuthorizableTransport;
  connectWith: (transport: Transport) => Promise<Client>;
}): Promise<Client> {
  const { oauth, createTransport, connectWith } = options;
  const transport = createTransport();
  try {
    return await connectWith(transport);
  } catch (error) {
    const authorization = pendingAuthorization(oauth, error);
    if (!authorization) throw error;
    await transport.finishAuth(await authorization);
    return connectWith(createTransport());
  }
}

/**
 * Runs `operation`; when the server asks for (more) authorization mid-session, e.g. a 403 `insufficient_scope`
 * step-up, redeems the authorization the SDK started and runs it once more.
 */
export async function withAuthorization<T>(oauth: OAuthProvider | undefined, client: Client, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const authorization = pendingAuthorization(oauth, error);
    const transport = client.transport;
    const authorizable = transport instanceof StreamableHTTPClientTransport || transport instanceof SSEClientTransport;
    if (!authorization || !authorizable) throw error;
    await transport.finishAuth(await authorization);
    return operation();
  }
}
