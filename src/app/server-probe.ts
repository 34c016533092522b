/**
 * @module The servers as `deckhand doctor` checks them: each configured server started, in parallel, the way a
 * run starts them (remote ones with their stored OAuth login), timed, reported, and closed again.
 */
import type { Settings } from '../config/load.js';
import type { ConnectionState } from '../mcp/connection-types.js';
import { McpHost } from '../mcp/host.js';
import { storedOAuth } from './oauth.js';
import { withSettingsStore } from './store.js';

/** How one server came up. */
export interface ServerProbe {
  readonly name: string;
  readonly state: ConnectionState;
  /** How many tools it lists. */
  readonly tools: number;
  /** Why it is not ready, when it is not. */
  readonly error?: string;
}

/** Starts every server of the settings, reports each and how long starting them all took, then stops them. */
export async function probeServers(settings: Pick<Settings, 'servers' | 'home'>): Promise<{ elapsedMs: number; servers: ServerProbe[] }> {
  const started = performance.now();
  // The store stays open while the servers start: a login whose token is refreshed then is stored again.
  const host = await withSettingsStore(async (store) => McpHost.start({ servers: settings.servers, oauth: await storedOAuth(settings, store) }));
  try {
    const elapsedMs = performance.now() - started;
    const servers = host.status().map((server) => ({
      name: server.name,
      state: server.state,
      tools: server.tools.length,
      ...(server.error !== undefined ? { error: server.error } : {}),
    }));
    return { elapsedMs, servers };
  } finally {
    await host.close();
  }
}
