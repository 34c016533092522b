import type { DatabaseSync } from 'node:sqlite';
import type { Kysely } from 'kysely';
import { openDatabase, type PrepareStep } from '../shared/database/open-database.js';
import { type DemoRowCount, demoRowCounts, migrateServerData, resetDemoData, seedServerData } from '../servers/data.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export interface Store extends AsyncDisposable {
  readonly db: Kysely<Database>;
  /** Where the data lives, for people: the SQLite file path or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The SQLite connection under `db`, absent on PostgreSQL (see `OpenDatabase.sqlite`). */
  readonly sqlite?: DatabaseSync;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** SQLite file (created with its folder), or `:memory:`. */
  readonly file: string;
  /** A postgres:// URL: when set, the store is PostgreSQL and `file` is ignored. */
  readonly databaseUrl?: string;
  /** Apply pending migrations: the host's, then every built-in server's. Default true. */
  readonly migrate?: boolean;
  /** Insert the built-in servers' demo data when it is missing. Default true. */
  readonly seed?: boolean;
}

/**
 * Opens the store through the one query layer (`shared/database`): SQLite by default, PostgreSQL when
 * `databaseUrl` is set. Applies the host's migrations and then, once for all of them, every built-in server's
 * migrations and demo seed (each server owns those, in `src/servers/<name>/`), so the servers the host
 * spawns on this database can skip that work (`DECKHAND_DB_READY`). Unless told not to.
 *
 * @throws UsageError naming the fix when the data dir, the file or PostgreSQL cannot be used.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const prepare: PrepareStep<Database>[] = [];
  if (options.migrate !== false) prepare.push((db) => migrateToLatest(db), (db) => migrateServerData(db));
  if (options.seed !== false) prepare.push((db) => seedServerData(db));
  const store = await openDatabase<Database>({ file: options.file, databaseUrl: options.databaseUrl, prepare });
  // The host's runs checkpoint the write-ahead log when idle (RunWriter.checkpointWhenIdle), off their steps'
  // path; SQLite's automatic checkpoint (1,000 pages by default) would land inside a step. This is the backstop
  // for a run that never idles: 16,384 pages (64 MB of log) before a commit checkpoints by itself.
  store.sqlite?.exec(`pragma wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  return store;
}

const WAL_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * `deckhand seed`: inserts the built-in servers' demo rows that are missing, or with `reset` rebuilds them from
 * scratch (the host's runs and sessions are kept); then counts them.
 */
export async function seedDemoData(store: Store, options: { readonly reset?: boolean } = {}): Promise<DemoRowCount[]> {
  if (options.reset) await resetDemoData(store.db);
  else await seedServerData(store.db);
  return demoRowCounts(store.db);
}

/** True when the store answers a query on the host's tables (the readiness probe); false on any error. */
export async function storeAnswers(store: Store): Promise<boolean> {
  try {
    await store.db.selectFrom('sessions').select('id').limit(1).execute();
    return true;
  } catch {
    return false;
  }
}
