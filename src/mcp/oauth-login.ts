/**
 * @module `deckhand mcp login <server>`: the OAuth 2.1 authorization-code flow with PKCE for one remote server,
 * through the SDK's `auth()` (discovery from the server's `WWW-Authenticate` challenge and RFC 9728 metadata,
 * dynamic client registration, S256 challenge), with a loopback redirect (RFC 8252 §7.3) on 127.0.0.1: the browser
 * is sent to the authorization URL, and the one request back to the loopback carries the code.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@modelcontextprotocol/client';
import type { HttpServerConfig } from '../config/schema.js';
import { UsageError } from '../shared/errors.js';
import { OAuthProvider } from './oauth.js';
import type { StoredCredentials } from '../contracts/index.js';

/** How long `deckhand mcp login` waits for the browser to come back. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;
const CALLBACK_PATH = '/callback';

/** Options of {@link loginToServer}. */
export interface LoginOptions {
  readonly server: string;
  readonly config: HttpServerConfig;
  /** Shows the authorization URL to the person (the CLI prints it, and opens the browser when it can). */
  readonly showAuthorizationUrl: (url: URL) => void;
  /** Default {@link DEFAULT_LOGIN_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs the whole login and resolves with the credentials to keep (registration and tokens).
 *
 * @throws UsageError when the authorization server refuses (the `error` it sent back), the browser does not come
 *   back in time, or the server does not support OAuth.
 */
export async function loginToServer(options: LoginOptions): Promise<StoredCredentials> {
  const { server, config } = options;
  const loopback = await startLoopback();
  try {
    const state = randomUUID();
    const provider = new OAuthProvider({
      redirectUrl: loopback.redirectUrl,
      clientName: 'Deckhand',
      state: () => state,
      authorize: async (authorizationUrl) => {
        options.showAuthorizationUrl(authorizationUrl);
        const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS);
        const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
        const parameters = await loopback.nextCallback(signal).catch((error: unknown) => {
          if (timeout.aborted) throw new UsageError(`no answer from the browser for '${server}' within ${Math.round((options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS) / 1_000)} s; run deckhand mcp login ${server} again`);
          throw error;
        });
        // The state ties the answer to this login (RFC 6749 §10.12): anything else reaching the loopback is not it.
        if (parameters.get('state') !== state) throw new UsageError(`the authorization answer for '${server}' did not carry this login's state; run deckhand mcp login ${server} again`);
        return parameters;
      },
    });
    const fetchWithHeaders = withHeaders(config.headers);
    const started = await auth(provider, { serverUrl: config.url, fetchFn: fetchWithHeaders }).catch((error: unknown) => {
      throw new UsageError(`could not start the authorization for '${server}' at ${config.url}: ${(error as Error).message}`, { cause: error });
    });
    if (started === 'REDIRECT') {
      const parameters = await provider.takeAuthorizationResponse();
      if (!parameters) throw new UsageError(`the authorization for '${server}' did not start; run deckhand mcp login ${server} again`);
      const refused = parameters.get('error');
      if (refused) {
        const description = parameters.get('error_description');
        throw new UsageError(`the authorization server refused access to '${server}': ${refused}${description ? ` (${description})` : ''}`);
      }
      const code = parameters.get('code');
      if (!code) throw new UsageError(`the authorization answer for '${server}' carried no code; run deckhand mcp login ${server} again`);
      const iss = parameters.get('iss');
      await auth(provider, { serverUrl: config.url, authorizationCode: code, ...(iss ? { iss } : {}), fetchFn: fetchWithHeaders }).catch((error: unknown) => {
        throw new UsageError(`the authorization server did not exchange the code for '${server}': ${(error as Error).message}`, { cause: error });
      });
    }
    const tokens = provider.tokens();
    const clientInformation = provider.clientInformation();
    if (!tokens) throw new UsageError(`the authorization for '${server}' ended without a token`);
    return {
      schemaVersion: 1,
      serverUrl: config.url,
      tokens: tokens as StoredCredentials['tokens'] & object,
      ...(clientInformation ? { clientInformation: clientInformation as StoredCredentials['clientInformation'] & object } : {}),
    };
  } finally {
    await loopback.close();
  }
}

/** A `fetch` that adds the server's configured headers (a gateway's own, say) to discovery requests too. */
function withHeaders(headers: Readonly<Record<string, string>>): typeof fetch {
  if (Object.keys(headers).length === 0) return fetch;
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) if (!merged.has(name)) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
}

interface Loopback {
  readonly redirectUrl: string;
  nextCallback(signal: AbortSignal): Promise<URLSearchParams>;
  close(): Promise<void>;
}

/** An HTTP listener on 127.0.0.1 (a free port) that takes the browser's one request back. */
async function startLoopback(): Promise<Loopback> {
  let deliver: ((parameters: URLSearchParams) => void) | undefined;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CALLBACK_PATH || !deliver) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.\n');
      return;
    }
    const failed = url.searchParams.has('error');
    response
      .writeHead(failed ? 400 : 200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><title>Deckhand</title><p>${failed ? 'Access was not granted.' : 'Deckhand is logged in.'} You can close this window.</p>\n`);
    deliver(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUrl: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    nextCallback: (signal) =>
      new Promise<URLSearchParams>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        deliver = (parameters) => {
          signal.removeEventListener('abort', onAbort);
          deliver = undefined;
          resolve(parameters);
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
