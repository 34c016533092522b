/**
 * @module The `node:sqlite` connection under a Kysely instance that `openDatabase` made, for the few hot reads that run a
 * statement prepared once on it directly (`servers/shared/prepared-query.ts`) instead of through Kysely's executor.
 * Recorded when the connection opens (on the first query when the open is deferred); never for PostgreSQL, and never
 * for a `Transaction`, which is a Kysely instance of its own.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Kysely } from 'kysely';

const connections = new WeakMap<Kysely<never>, DatabaseSync>();

/** Records `database` as the one connection under `db`. */
export function rememberSqliteConnection<DB>(db: Kysely<DB>, database: DatabaseSync): void {
  connections.set(db as unknown as Kysely<never>, database);
}

/**
 * The open SQLite connection under `db`, or undefined: on PostgreSQL, for a transaction, or before a deferred open
 * has happened. Kysely shares it: a caller checks `isTransaction` before running anything on it directly.
 */
export function sqliteConnectionOf<DB>(db: Kysely<DB>): DatabaseSync | undefined {
  const database = connections.get(db as unknown as Kysely<never>);
  return database?.isOpen ? database : undefined;
}
