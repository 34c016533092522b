/**
 * @module How a built-in server process opens its database: the same file (or PostgreSQL) as the host, with
 * only its own data prepared, or none when the host that spawned it says it already prepared everything.
 */
import type { BuiltinServerName } from '../config/schema.js';
import { type OpenDatabase, openDatabase, type PrepareStep } from '../shared/database/open-database.js';
import { dataOf, migrateServerData, seedServerData } from './data.js';
import type { BuiltinDatabase } from './database.js';

export { DB_READY_ENV } from './db-ready-env.js';

export interface OpenServerDatabaseOptions {
  /** The server opening it, or the servers of a shared process: their data (and the data they read) is what gets prepared. */
  readonly name: BuiltinServerName | readonly BuiltinServerName[];
  /** SQLite file (created with its folder), or `:memory:`. */
  readonly file: string;
  /** postgres://… to use PostgreSQL instead of `file`. */
  readonly databaseUrl?: string | undefined;
  /** True when the host already prepared the database (`DECKHAND_DB_READY=1`): nothing is migrated or seeded. */
  readonly ready?: boolean;
  /** With `ready`: connect only once this resolves, returning at once (see `openDatabase`'s `openWhen`). */
  readonly openWhen?: Promise<void>;
}

/**
 * Opens the database for built-in server `name`. Unless `ready`, applies the pending migrations of the data
 * the server needs (its own tables and those it reads, each owner's own migrations) and inserts their
 * missing demo rows, taking turns with other processes preparing the same file.
 *
 * @throws UsageError naming the fix when the data dir, the file or PostgreSQL cannot be used.
 */
export function openServerDatabase(options: OpenServerDatabaseOptions): Promise<OpenDatabase<BuiltinDatabase>> {
  const data = dataOf(typeof options.name === 'string' ? [options.name] : options.name);
  const prepare: PrepareStep<BuiltinDatabase>[] = options.ready ? [] : [(db) => migrateServerData(db, data), (db) => seedServerData(db, data)];
  return openDatabase<BuiltinDatabase>({
    file: options.file,
    databaseUrl: options.databaseUrl,
    prepare,
    ...(options.ready && options.openWhen ? { openWhen: options.openWhen } : {}),
  });
}
