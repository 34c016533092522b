/**
 * @module Queries built and compiled once, run with new parameters: for the hot read paths of the built-in
 * servers, where building the Kysely query tree and compiling it to SQL cost more than running it (a point
 * lookup by key is ~12 µs compiled once against ~30 µs built per call on SQLite). Dialect-neutral: the same on
 * PostgreSQL, where the SQL's `$n` placeholders keep their order.
 *
 * On SQLite a compiled select also skips Kysely's executor: it runs as a statement prepared once on the
 * connection (`sqliteConnectionOf`), which returns the same rows without the executor's connection hand-off,
 * mutex and promises (about 7.5 KB allocated and a few microseconds a call for `getCustomerEmail`). While a
 * Kysely transaction is open on that connection it goes through Kysely instead, and so waits for the
 * transaction as any other query does, never reading what it has not committed.
 */
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { sqliteConnectionOf } from '../../shared/database/sqlite-connections.js';

/** Unique stand-ins for the parameters while the query is compiled; found again in the compiled parameters. */
const placeholder = (index: number) => `\u0000deckhand-parameter-${index}\u0000`;

/**
 * Compiles `build(p0, p1, …)` once, with `arity` stand-in parameters, and returns a function that runs it with
 * real ones. Each stand-in must reach the SQL as a bound parameter (a value compared or inserted), not as
 * SQL text.
 *
 * @throws Error at preparation when a stand-in is not among the compiled parameters.
 */
export function preparedQuery<DB, Row, Parameters extends unknown[]>(
  db: Kysely<DB>,
  arity: Parameters['length'],
  build: (db: Kysely<DB>, ...parameters: string[]) => Compilable<Row>,
): (...parameters: Parameters) => Promise<Row[]> {
  const stand = Array.from({ length: arity }, (_, index) => placeholder(index));
  const compiled = build(db, ...stand).compile();
  // Where each real parameter goes among the compiled ones (a stand-in may be bound more than once).
  const slots = compiled.parameters.map((value) => stand.indexOf(value as string));
  for (let index = 0; index < arity; index++) {
    if (!slots.includes(index)) throw new Error(`preparedQuery: parameter ${index} is not a bound parameter of ${compiled.sql}`);
  }
  const fixed = compiled.parameters;
  const direct = compiled.query.kind === 'SelectQueryNode';
  let statement: { readonly connection: object; readonly prepared: StatementSync } | undefined;
  return async (...parameters) => {
    const values = slots.map((slot, position) => (slot >= 0 ? parameters[slot] : fixed[position]));
    const connection = direct ? sqliteConnectionOf(db) : undefined;
    if (connection && !connection.isTransaction) {
      if (statement?.connection !== connection) statement = { connection, prepared: connection.prepare(compiled.sql) };
      return statement.prepared.all(...(values as SQLInputValue[])) as Row[];
    }
    const query: CompiledQuery<Row> = { ...compiled, parameters: values };
    return (await db.executeQuery(query)).rows;
  };
}
