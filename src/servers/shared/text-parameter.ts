/**
 * @module A text value bound as `cast(? as text)`, for a join's key comparison on a hot read path.
 *
 * SQLite 3.54 (node:sqlite in Node 24) re-prepares a join whose WHERE compares a column with a bare bound
 * parameter every time a value is bound: the planner reads the bound value while it plans, so binding a new one
 * (even the same text again) expires the plan, and the next step parses and plans the statement anew. For
 * `getCustomerEmail`'s lookup that was about two thirds of the statement's cost (27 µs a run in a tight loop
 * against 7 µs), more in a server between calls, with cold caches. A cast has a type of its own, so the planner
 * does not look inside it: the statement is planned once and reused. On text columns the comparison is the same,
 * and the SQL is valid on PostgreSQL too. A single-table `where id = ?` is planned once already and needs none of
 * this (`text-parameter.test.ts` checks both).
 */
import { type RawBuilder, sql } from 'kysely';

/** `value` as a bound parameter that SQLite plans once in a join (see the module comment); only for text values. */
export function textParameter<Text extends string>(value: Text): RawBuilder<Text> {
  return sql<Text>`cast(${value} as text)`;
}
