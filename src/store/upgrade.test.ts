import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, postgresReachable } from '../../test/helpers/postgres.js';
import { openDatabase } from '../shared/database/open-database.js';
import { BUILTIN_DATA, seedServerData } from '../servers/data.js';
import type { BuiltinDatabase } from '../servers/database.js';
import { openStore } from './database.js';
import { HOST_MIGRATIONS } from './migrations.js';
import { MIGRATIONS_BEFORE_SERVERS_OWNED_THEIR_TABLES } from './testing/migrations-before-servers.js';

class FixedMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS_BEFORE_SERVERS_OWNED_THEIR_TABLES;
  }
}

/**
 * A database as an install made before the servers owned their tables has it: the old host migrations (0001
 * created the server tables), the demo data, and a customer, order and run of the user's own.
 */
async function makeOldDatabase(options: { file: string; databaseUrl?: string }): Promise<void> {
  const old = await openDatabase<BuiltinDatabase>({ file: options.file, databaseUrl: options.databaseUrl });
  try {
    const { error } = await new Migrator({ db: old.db, provider: new FixedMigrations() }).migrateToLatest();
    if (error) throw error;
    await seedServerData(old.db);
    await old.db
      .insertInto('customers')
      .values({ id: 'C-9001', name: 'Ada Old', email: 'ada@example.com', phone: null, city: null, tier: 'standard', created_at: 'x', updated_at: 'x' })
      .execute();
    await old.db
      .insertInto('orders')
      .values({ id: 'OLD-1', customer_id: 'C-9001', status: 'pending', total_cents: 100, paid_cents: 0, refunded_cents: 0, carrier: null, tracking_number: null, created_at: 'x', updated_at: 'x', shipped_at: null, cancelled_at: null })
      .execute();
    await sql`insert into sessions (id, created_at) values ('S-old', 'x')`.execute(old.db);
    await sql`insert into runs (id, session_id, task, model, status, started_at) values ('R-old', 'S-old', 'old task', 'offline', 'finished', 'x')`.execute(old.db);
  } finally {
    await old.close();
  }
}

const count = async <DB>(db: Kysely<DB>, table: string) => {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
};

/** Upgrade: every table of the old database keeps its rows, and each server records its own 0001 once. */
function upgradeContract(name: string, target: () => Promise<{ file: string; databaseUrl?: string }>): void {
  describe(`opening a database made before the servers owned their tables: ${name}`, () => {
    it('opens, keeps every row, adds no demo row twice, and records each server migration without re-running it', async () => {
      const options = await target();
      await makeOldDatabase(options);
      const store = await openStore(options);
      try {
        const { db } = store;
        expect(await count(db, 'orders')).toBe(15);
        expect(await count(db, 'customers')).toBe(13);
        expect(await count(db, 'runs')).toBe(1);
        const lisa = await store.db.selectFrom('customers').select('id').where('name', '=', 'Lisa Park').execute();
        expect(lisa).toEqual([{ id: 'C-1001' }]);
        const host = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
        // The old ones stay recorded (never re-run); later host migrations are applied on top.
        expect(host.rows.map((row) => row.name)).toEqual(Object.keys(HOST_MIGRATIONS.migrations));
        expect(Object.keys(HOST_MIGRATIONS.migrations)).toEqual(expect.arrayContaining(Object.keys(MIGRATIONS_BEFORE_SERVERS_OWNED_THEIR_TABLES)));
        for (const owner of BUILTIN_DATA) {
          const recorded = await sql<{ name: string }>`select name from ${sql.table(owner.migrations.table)}`.execute(store.db);
          expect(recorded.rows.map((row) => row.name), owner.name).toEqual(Object.keys(owner.migrations.migrations));
        }
        // The servers work on the old tables: a write through the orders table's constraints still holds.
        await store.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', 'OLD-1').execute();
      } finally {
        await store.close();
      }
      // Opening again is a no-op.
      const again = await openStore(options);
      expect(await count(again.db, 'orders')).toBe(15);
      await again.close();
    });
  });
}

const freshFile = (label: string) => join(mkdtempSync(join(tmpdir(), `deckhand-${label}-`)), 'deckhand.db');

/** The tables the old host migration 0001 created for the servers: every owner's demo tables. */
const SERVER_TABLES = new Set<string>(BUILTIN_DATA.flatMap((owner) => owner.demoTables));

/**
 * `create table` and `create index` statements as SQLite stored them (with `if not exists` removed): of the
 * server tables only, or of every table when `all`.
 */
function schemaOf(file: string, options: { all?: boolean } = {}): Record<string, string> {
  const database = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = database.prepare('select name, tbl_name, sql from sqlite_master where sql is not null order by name').all() as Array<{
      name: string;
      tbl_name: string;
      sql: string;
    }>;
    return Object.fromEntries(
      rows.filter((row) => options.all || SERVER_TABLES.has(row.tbl_name)).map((row) => [row.name, row.sql.replace(/ if not exists/gi, '')]),
    );
  } finally {
    database.close();
  }
}

upgradeContract('SQLite', async () => ({ file: freshFile('upgrade') }));

describe('the server tables on a fresh database', () => {
  // Invariant: moving the server tables out of the host's 0001 changed no table: a fresh database gets the same
  // tables, columns, keys and indexes as one made by the old migrations (only the bookkeeping tables differ).
  it('are created exactly as the old host migration 0001 created them', async () => {
    const oldFile = freshFile('schema-old');
    await makeOldDatabase({ file: oldFile });
    const newFile = freshFile('schema-new');
    await (await openStore({ file: newFile })).close();
    const before = schemaOf(oldFile);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['customers', 'orders', 'orders_status', 'issue_comments', 'idempotency_keys']));
    expect(schemaOf(newFile)).toEqual(before);
    // Besides, each owner has its bookkeeping, and the devops tables come with the others.
    expect(Object.keys(schemaOf(newFile, { all: true }))).toEqual(
      expect.arrayContaining(['crm_migrations', 'orders_migrations', 'idempotency_migrations', 'devops_migrations', 'devops_deployments']),
    );
  });
});

if (await postgresReachable()) {
  const scratches: Array<{ drop: () => Promise<void> }> = [];
  afterAll(async () => {
    for (const scratch of scratches) await scratch.drop();
  });
  upgradeContract('PostgreSQL', async () => {
    const scratch = await createScratchDatabase();
    scratches.push(scratch);
    return { file: 'unused', databaseUrl: scratch.url };
  });
} else {
  describe.skip('opening a database made before the servers owned their tables: PostgreSQL (no PostgreSQL at 127.0.0.1:5432)', () => {
    it('skipped', () => {});
  });
}
