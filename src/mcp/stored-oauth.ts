/**
 * @module The OAuth clients a run uses: one per remote server that `deckhand mcp login` left credentials for,
 * starting from the stored registration and tokens and storing whatever the SDK refreshes. A run never opens a
 * browser: when the SDK finds it needs a new authorization, the call fails with {@link AuthorizationRequiredError}.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { HttpServerConfig, McpServerConfig } from '../config/schema.js';
import { loadOrCreateKey } from '../shared/secret-box.js';
import { OAuthCredentialStore, type StoredCredentials } from '../store/oauth-credential-store.js';
import type { Database } from '../store/schema.js';
import { AuthorizationRequiredError } from './authorization.js';
import { OAuthProvider } from './oauth.js';
import { isStdio } from './server-target.js';

/** The redirect URI of stored registrations is the loopback of the login that made them; a run never uses it. */
const UNUSED_REDIRECT_URL = 'http://127.0.0.1/callback';

/** The key that seals stored OAuth credentials, in the data dir (mode 0600). */
export const OAUTH_KEY_FILE = 'oauth.key';

/** The credential store of a data dir: its key file is created on first use. */
export function openCredentialStore(db: Kysely<Database>, home: string): OAuthCredentialStore {
  return new OAuthCredentialStore(db, loadOrCreateKey(join(home, OAUTH_KEY_FILE)));
}

/**
 * Loads the stored credentials of every remote server in `servers` and returns the `oauth` option of `McpHost.start`:
 * a provider for each server that has them, `undefined` for the others. Touches neither the store nor the key file
 * when no server is remote.
 */
export async function storedOAuthProviders(options: {
  servers: Readonly<Record<string, McpServerConfig>>;
  db: Kysely<Database>;
  home: string;
}): Promise<(server: string, config: HttpServerConfig) => OAuthProvider | undefined> {
  const { servers } = options;
  const remote = Object.values(servers).some((config) => !isStdio(config));
  const credentials = remote ? openCredentialStore(options.db, options.home) : undefined;
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
