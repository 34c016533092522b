import { spawn } from 'node:child_process';
import { mcpLogin, mcpLogout } from '../../app/oauth.js';
import { loadSettings } from '../../config/load.js';

export interface McpLoginOptions {
  /** Print the authorization URL only (the default when stderr is not a terminal). */
  readonly browser?: boolean;
}

/**
 * `deckhand mcp login <server>`: authorizes Deckhand for a remote server (OAuth authorization code + PKCE with a
 * loopback redirect), opening the browser when there is a terminal and always printing the URL, then keeps the
 * registration and tokens in the store, sealed with the key in `$DECKHAND_HOME/oauth.key` (`app/oauth.ts`).
 *
 * @throws UsageError for an unknown or stdio server, or a login the authorization server refused.
 */
export async function mcpLoginCommand(name: string, options: McpLoginOptions = {}): Promise<number> {
  await mcpLogin({
    settings: loadSettings({}),
    server: name,
    showAuthorizationUrl: (url) => {
      process.stderr.write(`To authorize Deckhand for '${name}', open:\n  ${url.toString()}\nWaiting for the browser…\n`);
      if (options.browser !== false && process.stderr.isTTY) openBrowser(url);
    },
  });
  process.stdout.write(`Logged in to ${name}; its tokens are kept in the store, encrypted.\n`);
  return 0;
}

/** `deckhand mcp logout <server>`: forgets the server's stored registration and tokens. */
export async function mcpLogoutCommand(name: string): Promise<number> {
  const removed = await mcpLogout({ settings: loadSettings({}), server: name });
  process.stdout.write(removed ? `Logged out of ${name}.\n` : `No login kept for ${name}.\n`);
  return 0;
}

/** Opens `url` in the desktop's browser, if there is one; a failure only means the person opens it by hand. */
function openBrowser(url: URL): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url.toString()], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener on this machine: the printed URL is enough.
  }
}
