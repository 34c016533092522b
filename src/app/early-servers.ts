/**
 * @module The first step of opening a runtime: the settings, and the built-in servers' shared process spawned at
 * once. A front end that calls it before importing the rest of the runtime (`deckhand run`: about 3 MB of code to
 * load) has the child's Node start and bundle load run on the other core meanwhile.
 */
import { type Settings, type SettingsFlags, loadSettings } from '../config/load.js';
import { PrestartedServers } from '../mcp/prestart.js';

/** The settings and the shared server processes spawned for them, waiting for `storeReady` to open the database. */
export interface EarlyServers {
  readonly settings: Settings;
  /** Handed to `McpHost.start`; whoever opens the runtime closes them if it fails before that. */
  readonly prestarted: PrestartedServers;
  /** Resolved once the store is open (migrated and seeded): only then does the child open the database. */
  readonly storeReady: PromiseWithResolvers<void>;
}

/**
 * Loads the settings for `flags` and spawns the shared processes their built-in servers ask for. Pass the result
 * to `openRuntime`, which takes them over.
 *
 * @throws ConfigError when the config file or the environment is invalid (nothing is spawned then).
 */
export function startServersEarly(flags: SettingsFlags): EarlyServers {
  const settings = loadSettings({ flags });
  const storeReady = Promise.withResolvers<void>();
  return { settings, prestarted: PrestartedServers.spawn(settings.servers, { ready: storeReady.promise }), storeReady };
}
