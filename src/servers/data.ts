/**
 * @module The built-in servers' data: whose migrations and demo rows there are, the order they are prepared in,
 * and which of them each server needs. The host prepares all of them once when it opens the store and tells
 * the servers it spawns (`DECKHAND_DB_READY`); a server started on its own (`deckhand mcp <name>`) prepares
 * only what it needs.
 */
import type { Kysely } from 'kysely';
import type { BuiltinServerName } from '../config/schema.js';
import { migrateSet, type MigrationSet } from '../shared/database/migrate.js';
import { CRM_MIGRATIONS } from './crm/migrations.js';
import { seedCrm } from './crm/seed.js';
import type { BuiltinDatabase } from './database.js';
import { DEVOPS_MIGRATIONS } from './devops/migrations.js';
import { EMAIL_MIGRATIONS } from './email/migrations.js';
import { seedEmail } from './email/seed.js';
import { ISSUES_MIGRATIONS } from './issues/migrations.js';
import { seedIssues } from './issues/seed.js';
import { NOTES_MIGRATIONS } from './notes/migrations.js';
import { seedNotes } from './notes/seed.js';
import { ORDERS_MIGRATIONS } from './orders/migrations.js';
import { seedOrders } from './orders/seed.js';
import { IDEMPOTENCY_MIGRATIONS } from './shared/migrations.js';

/** One owner's tables: their migrations and, when it has any, its demo rows. */
export interface ServerData {
  readonly name: ServerDataName;
  readonly migrations: MigrationSet;
  /** Tables holding demo rows, children first, so a reset clears them in this order. */
  readonly demoTables: ReadonlyArray<keyof BuiltinDatabase & string>;
  /** Inserts the demo rows when they are missing (each owner checks one row of its own, by stable id). */
  readonly seed?: (db: Kysely<BuiltinDatabase>) => Promise<void>;
}

export type ServerDataName = 'idempotency' | 'crm' | 'orders' | 'issues' | 'notes' | 'email' | 'devops';

/**
 * Every owner, in the order they are prepared: a table is created, and its demo rows inserted, after the
 * tables it references (orders reference customers; order lines, inventory items).
 */
export const BUILTIN_DATA: readonly ServerData[] = [
  { name: 'idempotency', migrations: IDEMPOTENCY_MIGRATIONS, demoTables: ['idempotency_keys'] },
  { name: 'crm', migrations: CRM_MIGRATIONS, demoTables: ['customers'], seed: seedCrm },
  {
    name: 'orders',
    migrations: ORDERS_MIGRATIONS,
    demoTables: ['payments', 'order_lines', 'orders', 'inventory_movements', 'inventory_items'],
    seed: seedOrders,
  },
  { name: 'issues', migrations: ISSUES_MIGRATIONS, demoTables: ['issue_comments', 'issues'], seed: seedIssues },
  { name: 'notes', migrations: NOTES_MIGRATIONS, demoTables: ['notes'], seed: seedNotes },
  { name: 'email', migrations: EMAIL_MIGRATIONS, demoTables: ['emails'], seed: seedEmail },
  { name: 'devops', migrations: DEVOPS_MIGRATIONS, demoTables: [] },
];

/**
 * The data each server reads or writes: its own, plus the owners whose tables it reads (every operations
 * server looks up customers and orders; notes and issues check that the record they are about exists).
 */
export const SERVER_DATA: Readonly<Record<BuiltinServerName, readonly ServerDataName[]>> = {
  crm: ['idempotency', 'crm', 'orders'],
  orders: ['idempotency', 'crm', 'orders'],
  issues: ['idempotency', 'crm', 'orders', 'issues'],
  notes: ['idempotency', 'crm', 'orders', 'issues', 'notes'],
  email: ['idempotency', 'crm', 'orders', 'email'],
  devops: ['devops'],
};

/** The owners `servers` need, in preparation order; every owner when `servers` is omitted. */
export function dataOf(servers?: readonly BuiltinServerName[]): readonly ServerData[] {
  if (!servers) return BUILTIN_DATA;
  const wanted = new Set(servers.flatMap((server) => SERVER_DATA[server]));
  return BUILTIN_DATA.filter((data) => wanted.has(data.name));
}

/** Applies the pending migrations of each of `data`, in order (each owner in its own bookkeeping table). */
export async function migrateServerData(db: Kysely<BuiltinDatabase>, data: readonly ServerData[] = BUILTIN_DATA): Promise<void> {
  for (const owner of data) await migrateSet(db, owner.migrations);
}

/** Inserts the demo rows of each of `data` that are missing, in one transaction; safe on every start and from several processes. */
export async function seedServerData(db: Kysely<BuiltinDatabase>, data: readonly ServerData[] = BUILTIN_DATA): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const owner of data) await owner.seed?.(trx);
  });
}

/** The demo tables `deckhand seed` reports, in the order it names them. */
export const DEMO_SUMMARY_TABLES = ['customers', 'orders', 'inventory_items', 'notes', 'emails', 'issues'] as const;

/** How many rows a demo table holds. */
export interface DemoRowCount {
  readonly table: (typeof DEMO_SUMMARY_TABLES)[number];
  readonly rows: number;
}

/** The row counts of {@link DEMO_SUMMARY_TABLES}, in that order. */
export function demoRowCounts(db: Kysely<BuiltinDatabase>): Promise<DemoRowCount[]> {
  return Promise.all(
    DEMO_SUMMARY_TABLES.map(async (table) => {
      const row = await db.selectFrom(table).select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return { table, rows: Number(row.count) };
    }),
  );
}

/**
 * Rebuilds the demo data from scratch (`deckhand seed --reset`): clears every owner's demo tables in one
 * transaction, children first, and inserts the demo rows again. The host's state (runs, sessions) is kept.
 */
export async function resetDemoData(db: Kysely<BuiltinDatabase>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const owner of [...BUILTIN_DATA].reverse()) for (const table of owner.demoTables) await trx.deleteFrom(table).execute();
    for (const owner of BUILTIN_DATA) await owner.seed?.(trx);
  });
}
