/**
 * @module What every devops tool works with, built once per server from the settings the host passed: the
 * store, the configuration (or why there is none), the server's own model, the environment for commands, and
 * the history notifier.
 */
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { DevopsConfig, DevopsConfigState } from './config.js';
import type { OwnModel } from './judge.js';
import { migrateDevops } from './migrations.js';
import type { DevopsDatabase } from './tables.js';

/** Variables every command gets from the server's environment (when set), besides those the config names. */
const BASE_VARIABLES = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];

export interface DevopsRuntime {
  readonly db: Kysely<DevopsDatabase>;
  readonly config: DevopsConfigState;
  /** The server's process environment: where `requiredConfig` and `passEnv` values are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly own: OwnModel | undefined;
  /** Why `devops.model` could not be used (e.g. its API key is missing), when it could not. */
  readonly ownProblem: string | undefined;
  /** Emits `history` after a deployment row is created or finished (all server instances on this store hear it). */
  readonly events: EventEmitter;
  /** When this server process started, for uptime. */
  readonly startedAt: number;
  /** Resolves once the devops tables are migrated. */
  ready(): Promise<void>;
}

const emitters = new WeakMap<object, EventEmitter>();

/** One emitter per store, shared by the server instances (HTTP sessions) of this process. */
export function historyEvents(db: Kysely<DevopsDatabase>): EventEmitter {
  let emitter = emitters.get(db);
  if (!emitter) {
    emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    emitters.set(db, emitter);
  }
  return emitter;
}

export function createRuntime(options: {
  db: Kysely<DevopsDatabase>;
  config: DevopsConfigState;
  env: Readonly<Record<string, string | undefined>>;
  own?: OwnModel | undefined;
  ownProblem?: string | undefined;
}): DevopsRuntime {
  const ready = () => migrateDevops(options.db);
  // Migrate at start; a failure surfaces on the first tool call that awaits it.
  ready().catch(() => {});
  return {
    db: options.db,
    config: options.config,
    env: options.env,
    own: options.own,
    ownProblem: options.ownProblem,
    events: historyEvents(options.db),
    startedAt: Date.now(),
    ready,
  };
}

/** The environment a test or deploy command runs with: the base variables, `passEnv`, and `extra` on top. */
export function commandEnv(runtime: DevopsRuntime, config: DevopsConfig, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_VARIABLES, ...config.passEnv]) {
    const value = runtime.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
