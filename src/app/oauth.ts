/**
 * @module OAuth for remote MCP servers, as the front ends and the runtime reach it: `deckhand mcp login` (the
 * browser flow of `mcp/oauth-login.ts`, its result kept sealed in the store) and `logout`, and the stored logins
 * handed to the MCP host as an {@link OAuthCredentials} interface, so mcp/ never opens the store.
 */
import { join } from 'node:path';
import type { Settings } from '../config/load.js';
import type { HttpServerConfig } from '../config/schema.js';
import type { OAuthProvider } from '../mcp/oauth.js';
import { isStdio } from '../mcp/server-target.js';
import { storedOAuthProviders } from '../mcp/stored-oauth.js';
import { UsageError } from '../shared/errors.js';
import { getOwn } from '../shared/get-own.js';
import { loadOrCreateKey } from '../shared/secret-box.js';
import type { Store } from '../store/database.js';
import { OAuthCredentialStore } from '../store/oauth-credential-store.js';
import { withSettingsStore } from './store.js';

/** The key that seals stored OAuth credentials, in the data dir (mode 0600). */
export const OAUTH_KEY_FILE = 'oauth.key';

/** The credential store of a data dir: its key file is created on first use. */
function openCredentialStore(store: Store, home: string): OAuthCredentialStore {
  return new OAuthCredentialStore(store.db, loadOrCreateKey(join(home, OAUTH_KEY_FILE)));
}

/**
 * The `oauth` option of `McpHost.start` for the settings' servers: each remote server with a stored login starts
 * with it (refreshed tokens are stored again, so `store` must stay open while the host runs). Opens neither the
 * credential store nor the key file when no server is remote.
 */
export function storedOAuth(settings: Pick<Settings, 'servers' | 'home'>, store: Store): Promise<(server: string, config: HttpServerConfig) => OAuthProvider | undefined> {
  return storedOAuthProviders({ servers: settings.servers, credentials: () => openCredentialStore(store, settings.home) });
}

/** The remote server `name` of the settings. Throws `UsageError` for an unknown or a stdio server. */
function remoteServer(settings: Settings, name: string): HttpServerConfig {
  const config = getOwn(settings.servers, name);
  if (!config) {
    throw new UsageError(`no server '${name}' in ${settings.configFile ?? 'the config (there is no config file)'}; deckhand mcp list shows the configured ones`);
  }
  if (isStdio(config)) throw new UsageError(`'${name}' is a stdio server; only remote (url) servers log in`);
  return config;
}

/**
 * Logs in to the remote server `name` (OAuth authorization code + PKCE with a loopback redirect) and keeps the
 * registration and tokens in the store, sealed with the key in the data dir. `showAuthorizationUrl` shows the
 * person where to go.
 *
 * @throws UsageError for an unknown or stdio server, or a login the authorization server refused.
 */
export async function mcpLogin(options: { settings: Settings; server: string; showAuthorizationUrl: (url: URL) => void }): Promise<void> {
  const { settings, server } = options;
  const config = remoteServer(settings, server);
  await withSettingsStore(async (store) => {
    // Imported here: it serves the loopback redirect with node:http, whose ES module facade loads Node's whole HTTP
    // client stack (undici, tls, http2) as it is imported; every runtime imports this module for `storedOAuth`.
    const { loginToServer } = await import('../mcp/oauth-login.js');
    const credentials = await loginToServer({ server, config, showAuthorizationUrl: options.showAuthorizationUrl });
    await openCredentialStore(store, settings.home).save(server, credentials);
  });
}

/** Forgets the stored registration and tokens of server `name`; whether there were any. */
export function mcpLogout(options: { settings: Settings; server: string }): Promise<boolean> {
  return withSettingsStore((store) => openCredentialStore(store, options.settings.home).remove(options.server));
}
