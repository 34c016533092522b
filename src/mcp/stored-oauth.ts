/**
 * @module The OAuth clients a run uses: one per remote server that `deckhand mcp login` left credentials for,
 * starting from the stored registration and tokens and storing whatever the SDK refreshes. A run never opens a
 * browser: when the SDK finds it needs a new authorization, the call fails with {@link AuthorizationRequiredError}.
 */
import type { HttpServerConfig, McpServerConfig } from '../config/schema.js';
import type { OAuthCredentials, StoredCredentials } from '../contracts/index.js';
import { AuthorizationRequiredError } from './authorization.js';
import { OAuthProvider } from './oauth.js';
import { isStdio } from './server-target.js';

/** The redirect URI of stored registrations is the loopback of the login that made them; a run never uses it. */
const UNUSED_REDIRECT_URL = 'http://127.0.0.1/callback';

/**
 * Loads the stored credentials of every remote server in `servers` and returns the `oauth` option of `McpHost.start`:
 * a provider for each server that has them, `undefined` for the others. `credentials` opens where they are kept
 * (app/ hands in the store's); it is not called when no server is remote.
 */
export async function storedOAuthProviders(options: {
  servers: Readonly<Record<string, McpServerConfig>>;
  credentials: () => OAuthCredentials;
}): Promise<(server: string, config: HttpServerConfig) => OAuthProvider | undefined> {
  const { servers } = options;
  const remote = Object.values(servers).some((config) => !isStdio(config));
  const credentials = remote ? options.credentials() : undefined;
  const providers = new Map<string, OAuthProvider>();
  for (const [server, config] of Object.entries(servers)) {
    if (isStdio(config) || !credentials) continue;
    const stored = await credentials.load(server, config.url);
    if (!stored?.tokens) continue;
    providers.set(
      server,
      new OAuthProvider({
        redirectUrl: UNUSED_REDIRECT_URL,
        clientName: 'Deckhand',
        saved: stored,
        // Refreshed tokens (and a rotated refresh token) replace the stored ones at once: the old refresh token may
        // already be spent.
        onSave: (saved) => credentials.save(server, { ...stored, ...saved } satisfies StoredCredentials),
        authorize: () => Promise.reject(new AuthorizationRequiredError(server, 'its stored authorization expired or was revoked')),
      }),
    );
  }
  return (server) => providers.get(server);
}
