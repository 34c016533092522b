import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { delay } from '../shared/abort.js';
import { UsageError } from '../shared/errors.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import { seedDemoData } from './seed.js';

export interface Store extends AsyncDisposable {
  readonly db: Kysely<Database>;
  /** Where the data lives, for people: the SQLite file path. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** SQLite file (created with its folder), or `:memory:`. */
  readonly file: string;
  /** A postgres:// URL; not supported yet, so it is refused with a clear message rather than ignored. */
  readonly databaseUrl?: string;
  /** Apply pending migrations. Default true. */
  readonly migrate?: boolean;
  /** Insert the demo data when it is missing. Default true. */
  readonly seed?: boolean;
}

const MIGRATION_ATTEMPTS = 5;

/**
 * Opens the store through the one query layer (Kysely). SQLite runs in WAL mode with a busy timeout, so
 * the host and the built-in server processes can share one file.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    throw new UsageError(
      'DATABASE_URL is set, but this version of Deckhand stores data in SQLite only; unset DATABASE_URL to use ' +
        `${options.file}.`,
    );
  }
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const sqlite = new SqliteDatabase(options.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    if (options.migrate !== false) await withBusyRetry(() => migrateToLatest(db as Kysely<unknown>));
    if (options.seed !== false) await withBusyRetry(() => seedDemoData(db));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const close = () => db.destroy();
  return { db, location: options.file, close, [Symbol.asyncDispose]: close };
}

/**
 * Two processes opening a fresh file at once (the host and a standalone server) can both try to migrate;
 * SQLite answers the loser with SQLITE_BUSY instead of waiting, so retry after the winner has finished.
 */
async function withBusyRetry(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const busy = /SQLITE_BUSY|database is locked/i.test(String((error as { cause?: unknown })?.cause ?? error));
      if (!busy || attempt >= MIGRATION_ATTEMPTS) throw error;
      await delay(50 * attempt);
    }
  }
}
