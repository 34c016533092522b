/**
 * @module Opening a database through the one query layer (Kysely), for the host's store and for the built-in
 * servers alike: SQLite (the built-in `node:sqlite`) by default, PostgreSQL when a `postgres://` URL is given,
 * the SQLite pragmas every process sets, the turn-taking of processes preparing one fresh file, and the mapping
 * of configuration errors to one-sentence messages. What gets prepared (whose migrations, whose seed) is the
 * caller's: this module knows no table.
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Pool } from 'pg';
import { type Dialect, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { delay } from '../abort.js';
import { UsageError } from '../errors.js';
import { type NodeSqliteDatabase, openNodeSqlite } from './node-sqlite.js';
import { assertWritable, postgresLocation, type StoreTarget, storeOpenError } from './open-errors.js';
import { rememberSqliteConnection } from './sqlite-connections.js';

/** An open database: the Kysely instance, where it lives, and how to close it. */
export interface OpenDatabase<DB> extends AsyncDisposable {
  readonly db: Kysely<DB>;
  /** Where the data lives, for people: the SQLite file path or the PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * The SQLite connection under `db` (absent on PostgreSQL), for a hot path that runs statements it prepared once
   * instead of building each query with Kysely. Kysely shares it: check `isTransaction` before writing directly.
   */
  readonly sqlite?: DatabaseSync;
  close(): Promise<void>;
}

/** One step of preparing a database (a migration list, a seed), run with the other processes taking turns. */
export type PrepareStep<DB> = (db: Kysely<DB>) => Promise<void>;

export interface OpenDatabaseOptions<DB> {
  /** SQLite file (created with its folder), or `:memory:`. */
  readonly file: string;
  /** A postgres:// URL: when set, the database is PostgreSQL and `file` is ignored. */
  readonly databaseUrl?: string | undefined;
  /**
   * Run in order once the database is open, each retried when another process preparing the same fresh SQLite
   * file won a race. None: the database is used as it is (someone else prepared it), without taking a turn.
   */
  readonly prepare?: ReadonlyArray<PrepareStep<DB>>;
  /**
   * Connect only once this resolves, and return the Kysely instance at once: its first query waits for the
   * connection (and fails, as the connection would have, if it cannot be made or this rejects). For a process that
   * can serve before another one has prepared the database (a shared server process answering the MCP handshake
   * while its host migrates). Only with nothing to `prepare`; the result then has no `sqlite`.
   */
  readonly openWhen?: Promise<void>;
}

const PREPARE_ATTEMPTS = 5;
/** How long a SQLite statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens the database: SQLite by default, PostgreSQL when `databaseUrl` is set. SQLite runs in WAL mode with a
 * busy timeout, so the host and the built-in server processes can share one file, and any number of processes
 * can open a fresh file at once. Then runs the `prepare` steps.
 *
 * @throws UsageError naming the fix for configuration problems (a data dir that is a file or not writable, a
 * read-only or foreign file, an unreachable PostgreSQL, a refused login, a missing database); other errors as they are.
 */
export async function openDatabase<DB>(options: OpenDatabaseOptions<DB>): Promise<OpenDatabase<DB>> {
  if (options.openWhen) return openDeferred({ ...options, openWhen: options.openWhen });
  const target: StoreTarget = options.databaseUrl ? { kind: 'postgres', location: postgresLocation(options.databaseUrl) } : { kind: 'sqlite', file: options.file };
  try {
    const opened = await openUnmapped<DB>(options);
    if (target.kind === 'sqlite' && options.file !== ':memory:') await assertWritable(opened.db).catch(async (error: unknown) => {
      await opened.close();
      throw error;
    });
    return opened;
  } catch (error) {
    throw storeOpenError(error, target);
  }
}

/**
 * The database behind {@link OpenDatabaseOptions.openWhen}: Kysely asks its dialect for the SQLite connection or the
 * PostgreSQL pool on its first query (its drivers take a function for that), and that waits for `when`.
 */
function openDeferred<DB>(options: OpenDatabaseOptions<DB> & { readonly openWhen: Promise<void> }): OpenDatabase<DB> {
  if (options.prepare?.length) throw new Error('openDatabase: openWhen is for a database that someone else prepares; it takes no prepare steps.');
  const { databaseUrl, file, openWhen } = options;
  const target: StoreTarget = databaseUrl ? { kind: 'postgres', location: postgresLocation(databaseUrl) } : { kind: 'sqlite', file };
  let opened = false;
  const mapped = async <T>(open: () => Promise<T>): Promise<T> => {
    await openWhen;
    try {
      const connection = await open();
      opened = true;
      return connection;
    } catch (error) {
      throw storeOpenError(error, target);
    }
  };
  const dialect: Dialect = databaseUrl
    ? new PostgresDialect({ pool: () => mapped(() => postgresPool(databaseUrl)) })
    : new SqliteDialect({
        database: () =>
          mapped(async () => {
            const connection = sqlite(file);
            try {
              await withBusyRetry(async () => configureSqlite(connection.sqlite, file !== ':memory:'));
            } catch (error) {
              connection.database.close();
              throw error;
            }
            rememberSqliteConnection(db, connection.sqlite);
            return connection.database;
          }),
      });
  const db = new Kysely<DB>({ dialect });
  // A connection that was never made (`openWhen` rejected, or the open failed) leaves nothing to close.
  const close = () =>
    db.destroy().catch((error: unknown) => {
      if (opened) throw error;
    });
  return { db, location: target.kind === 'postgres' ? target.location : file, close, [Symbol.asyncDispose]: close };
}

async function openUnmapped<DB>(options: OpenDatabaseOptions<DB>): Promise<OpenDatabase<DB>> {
  const sqliteFile = options.databaseUrl ? undefined : options.file;
  const opened: { dialect: Dialect; location: string; sqlite?: DatabaseSync } =
    sqliteFile === undefined
      ? { dialect: new PostgresDialect({ pool: await postgresPool(options.databaseUrl!) }), location: postgresLocation(options.databaseUrl!) }
      : sqlite(sqliteFile);
  const db = new Kysely<DB>({ dialect: opened.dialect });
  if (opened.sqlite) rememberSqliteConnection(db, opened.sqlite);
  const steps = options.prepare ?? [];
  try {
    const database = opened.sqlite;
    const configure = async () => {
      if (database) await withBusyRetry(async () => configureSqlite(database, sqliteFile !== ':memory:'));
    };
    if (steps.length === 0) {
      // Prepared by someone else: the file is already in WAL mode, so this takes no turn.
      await configure();
    } else {
      // PostgreSQL migrations take an advisory lock; SQLite has none, so processes preparing one file take turns.
      // Switching a fresh file to WAL takes an exclusive lock too, so it happens under the same turn.
      await withFileLock(sqliteFile === undefined || sqliteFile === ':memory:' ? undefined : `${sqliteFile}.migrate.lock`, async () => {
        await configure();
        for (const step of steps) await withBusyRetry(() => step(db));
      });
    }
  } catch (error) {
    await db.destroy();
    throw error; // mapped for people by openDatabase
  }
  const close = () => db.destroy();
  return { db, location: opened.location, ...(opened.sqlite ? { sqlite: opened.sqlite } : {}), close, [Symbol.asyncDispose]: close };
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
function sqlite(file: string): { dialect: Dialect; location: string; sqlite: DatabaseSync; database: NodeSqliteDatabase } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = openNodeSqlite(file, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  return { dialect: new SqliteDialect({ database }), location: file, sqlite: database.database, database };
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

/** A pool for `databaseUrl`. @throws UsageError for a URL that is not postgres://… */
async function postgresPool(databaseUrl: string): Promise<Pool> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new UsageError('DATABASE_URL is not a URL; expected postgres://user@host:5432/database.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`DATABASE_URL must start with postgres:// (got ${url.protocol}//).`);
  }
  // Loaded here, not at the top: pg (CommonJS, ~28 ms to load here) is on no SQLite process's path, and every
  // `deckhand run` and built-in server process opens its database through this module.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle pooled connection that the server drops (a restart, an administrator) emits 'error'; unhandled, it
  // would crash the process. The pool replaces the connection on the next query, so there is nothing to do.
  pool.on('error', () => {});
  return pool;
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
      if (!raced || attempt >= PREPARE_ATTEMPTS) throw error;
      await delay(50 * attempt);
    }
  }
}
