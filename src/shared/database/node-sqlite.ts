/**
 * @module Kysely over Node's built-in `node:sqlite`: the small adapter that lets Kysely's own `SqliteDialect`
 * drive a `DatabaseSync`, with a prepared-statement cache. No native addon, nothing to compile, nothing tied
 * to one Node build.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const STATEMENT_CACHE_SIZE = 500;

/**
 * A `node:sqlite` database in the shape Kysely's `SqliteDialect` drives (better-sqlite3's: `prepare` returns
 * a statement that says whether it returns rows and takes its parameters as one array).
 *
 * Kysely prepares every query afresh; statements are reusable, so the most recent 500 are kept by SQL text.
 * Queries are parameterised, so the set of distinct texts is small, and reusing a statement skips SQLite's
 * parse and plan (the larger part of a point lookup's cost).
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #cache = new Map<string, SqliteStatement>();

  /** @param database an open `DatabaseSync`; closed by {@link close}. */
  constructor(readonly database: DatabaseSync) {}

  prepare(source: string): SqliteStatement {
    // Kysely opens transactions with a plain (deferred) `begin`. A deferred transaction that reads and then
    // writes fails at once with SQLITE_BUSY, without waiting, when another process wrote in between; every
    // transaction here writes, so take the write lock at `begin`, where the busy timeout applies.
    const sql = source === 'begin' ? 'begin immediate' : source;
    let statement = this.#cache.get(sql);
    if (statement) {
      this.#cache.delete(sql); // re-inserted below: Map order doubles as recency
    } else {
      statement = adapt(this.database.prepare(sql));
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(sql, statement);
    return statement;
  }

  close(): void {
    this.#cache.clear();
    if (this.database.isOpen) this.database.close();
  }
}

function adapt(statement: StatementSync): SqliteStatement {
  // A statement returns rows exactly when it has result columns (a select, or a write with `returning`).
  const reader = statement.columns().length > 0;
  const values = (parameters: ReadonlyArray<unknown>) => parameters as SQLInputValue[];
  return {
    reader,
    all: (parameters) => statement.all(...values(parameters)),
    run: (parameters) => statement.run(...values(parameters)),
    iterate: (parameters) => statement.iterate(...values(parameters)),
  };
}

/** Opens (creating when missing) a SQLite file, or `:memory:`, with `node:sqlite`. */
export function openNodeSqlite(file: string, options: { readonly busyTimeoutMs: number }): NodeSqliteDatabase {
  // `timeout` is SQLite's busy timeout, set before any statement runs: the very first one (`journal_mode =
  // WAL`) needs a lock that another process opening the same fresh file may hold for a moment.
  return new NodeSqliteDatabase(new DatabaseSync(file, { timeout: options.busyTimeoutMs }));
}
