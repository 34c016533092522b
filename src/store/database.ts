import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { type Dialect, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { delay } from '../shared/abort.js';
import { UsageError } from '../shared/errors.js';
import { migrateToLatest } from './migrations.js';
import { openNodeSqlite } from './node-sqlite.js';
import type { Database } from './schema.js';
import { assertWritable, postgresLocation, type StoreTarget, storeOpenError } from './open-errors.js';
import { seedDemoData } from './seed.js';

export interface Store extends AsyncDisposable {
  readonly db: Kysely<Database>;
  /** Where the data lives, for people: the SQLite file path or the PostgreSQL URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** SQLite file (created with its folder), or `:memory:`. */
  readonly file: string;
  /** A postgres:// URL: when set, the store is PostgreSQL and `file` is ignored. */
  readonly databaseUrl?: string;
  /** Apply pending migrations. Default true. */
  readonly migrate?: boolean;
  /** Insert the demo data when it is missing. Default true. */
  readonly seed?: boolean;
}

const MIGRATION_ATTEMPTS = 5;
/** How long a SQLite statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens the store through the one query layer (Kysely): SQLite by default, PostgreSQL when `databaseUrl` is
 * set. SQLite (the built-in `node:sqlite`) runs in WAL mode with a busy timeout, so the host and the built-in
 * server processes can share one file, and any number of processes can open a fresh file at once. Applies
 * migrations and seeds the demo data unless told not to.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const target: StoreTarget = options.databaseUrl ? { kind: 'postgres', location: postgresLocation(options.databaseUrl) } : { kind: 'sqlite', file: options.file };
  try {
    const store = await openUnmapped(options);
    if (target.kind === 'sqlite' && options.file !== ':memory:') await assertWritable(store.db).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    return store;
  } catch (error) {
    throw storeOpenError(error, target);
  }
}

async function openUnmapped(options: OpenStoreOptions): Promise<Store> {
  const sqliteFile = options.databaseUrl ? undefined : options.file;
  const opened: { dialect: Dialect; location: string; sqlite?: DatabaseSync } =
    sqliteFile === undefined ? postgres(options.databaseUrl!) : sqlite(sqliteFile);
  const db = new Kysely<Database>({ dialect: opened.dialect });
  try {
    // PostgreSQL migrations take an advisory lock; SQLite has none, so processes opening one file take turns.
    // Switching a fresh file to WAL takes an exclusive lock too, so it happens under the same turn.
    await withFileLock(sqliteFile === undefined || sqliteFile === ':memory:' ? undefined : `${sqliteFile}.migrate.lock`, async () => {
      const database = opened.sqlite;
      if (database) await withBusyRetry(async () => configureSqlite(database, sqliteFile !== ':memory:'));
      if (options.migrate !== false) await withBusyRetry(() => migrateToLatest(db as Kysely<unknown>));
      if (options.seed !== false) await withBusyRetry(() => seedDemoData(db));
    });
  } catch (error) {
    await db.destroy();
    throw error; // mapped for people by openStore
  }
  const close = () => db.destroy();
  return { db, location: opened.location, close, [Symbol.asyncDispose]: close };
}

/**
 * The connection's settings. The busy timeout is already set when the connection opens, before this first
 * statement: `journal_mode = WAL` on a fresh file needs a lock that another process may hold for a moment.
 */
function configureSqlite(database: DatabaseSync, file: boolean): void {
  if (file) database.exec('pragma journal_mode = WAL');
  database.exec('pragma synchronous = NORMAL');
  database.exec('pragma foreign_keys = ON');
}

/** SQLite through the built-in `node:sqlite` (no native addon), with its busy timeout set as it opens. */
function sqlite(file: string): { dialect: Dialect; location: string; sqlite: DatabaseSync } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = openNodeSqlite(file, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  return { dialect: new SqliteDialect({ database }), location: file, sqlite: database.database };
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

/**
 * Runs `work` while holding a lock file (created exclusively, removed after), so several processes opening a
 * fresh SQLite file at once (a host spawning its servers, Claude Desktop starting several) migrate one at a
 * time. A lock older than 30 s is taken to be left by a crashed process and removed.
 */
async function withFileLock(path: string | undefined, work: () => Promise<void>): Promise<void> {
  if (!path) return work();
  const started = Date.now();
  for (;;) {
    try {
      closeSync(openSync(path, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS) rmSync(path, { force: true });
      } catch {
        // removed by its owner meanwhile
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new Error(`Timed out waiting for ${path}; if no other Deckhand process is starting, delete it.`, { cause: error });
      }
      await delay(15);
    }
  }
  try {
    await work();
  } finally {
    rmSync(path, { force: true });
  }
}

function postgres(databaseUrl: string): { dialect: Dialect; location: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new UsageError('DATABASE_URL is not a URL; expected postgres://user@host:5432/database.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`DATABASE_URL must start with postgres:// (got ${url.protocol}//).`);
  }
  // Shown to people: never the password.
  const location = `postgres://${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle pooled connection that the server drops (a restart, an administrator) emits 'error'; unhandled, it
  // would crash the process. The pool replaces the connection on the next query, so there is nothing to do.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), location };
}

/**
 * Several processes opening a fresh file at once (a host spawning standalone servers) can all try to
 * migrate and seed; SQLite lets one win, so the others retry once it has finished.
 */
async function withBusyRetry(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // The loser of the race sees either SQLITE_BUSY or, when its read predates the winner's commit, a
      // "table already exists"; either way the winner's work is done and a retry finds nothing to do.
      const raced = /SQLITE_BUSY|database is locked|already exists/i.test(`${error}${(error as { cause?: unknown })?.cause ?? ''}`);
      if (!raced || attempt >= MIGRATION_ATTEMPTS) throw error;
      await delay(50 * attempt);
    }
  }
}
