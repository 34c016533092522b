import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { isPostgres, migrateSet, type MigrationSet } from '../shared/database/migrate.js';

/**
 * The host's versioned migrations (its own state: sessions, runs, events, model calls, approvals, audit), in
 * order. Never edit one that has shipped: add the next. They use only the schema builder's portable types so
 * the same list runs on SQLite and PostgreSQL. The built-in servers migrate their own tables.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_operations_and_runs': {
    async up(db: Kysely<unknown>) {
      // This migration once also created the built-in servers' tables (customers, orders, inventory, notes, emails,
      // issues, idempotency keys). Editing it is safe, against the rule above, because nothing is lost either way:
      // on a database where it already ran, it never runs again, and each server's own 0001 (src/servers/<name>/
      // migrations.ts) finds its tables there, identical, and only records itself; on a fresh database those
      // server migrations create the same tables, with the same columns, keys and indexes, when the store opens.
      const text = 'text' as const;
      await db.schema
        .createTable('sessions')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('title', text)
        .addColumn('created_at', text, (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('runs')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('session_id', text, (column) => column.notNull().references('sessions.id'))
        .addColumn('task', text, (column) => column.notNull())
        .addColumn('model', text, (column) => column.notNull())
        .addColumn('status', text, (column) => column.notNull())
        .addColumn('started_at', text, (column) => column.notNull())
        .addColumn('ended_at', text)
        .addColumn('steps', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('tool_calls', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('input_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (column) => column.notNull().defaultTo(0))
        .addColumn('final_text', text)
        .addColumn('error', text)
        .execute();
      await db.schema.createIndex('runs_session_id').on('runs').column('session_id').execute();
      await db.schema
        .createTable('run_events')
        .addColumn('id', isPostgres(db) ? sql`bigserial` : 'integer', (column) =>
          isPostgres(db) ? column.primaryKey() : column.primaryKey().autoIncrement(),
        )
        .addColumn('run_id', text, (column) => column.notNull().references('runs.id'))
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('type', text, (column) => column.notNull())
        .addColumn('at', 'bigint', (column) => column.notNull())
        .addColumn('data', text, (column) => column.notNull())
        .addUniqueConstraint('run_events_run_seq', ['run_id', 'seq'])
        .execute();
    },
  },
  '0002_sessions_approvals_audit': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      await db.schema.alterTable('sessions').addColumn('summary', text).execute();
      await db.schema.alterTable('sessions').addColumn('summarized_through', 'integer', (column) => column.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('runs').addColumn('options', text, (column) => column.notNull().defaultTo('{}')).execute();
      await db.schema
        .createTable('session_messages')
        .addColumn('session_id', text, (column) => column.notNull().references('sessions.id'))
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('run_id', text)
        .addColumn('role', text, (column) => column.notNull())
        .addColumn('message', text, (column) => column.notNull())
        .addColumn('created_at', text, (column) => column.notNull())
        .addPrimaryKeyConstraint('session_messages_pk', ['session_id', 'seq'])
        .execute();
      await db.schema
        .createTable('approvals')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('run_id', text, (column) => column.notNull().references('runs.id'))
        .addColumn('session_id', text, (column) => column.notNull())
        .addColumn('step', 'integer', (column) => column.notNull())
        .addColumn('tool_call_id', text, (column) => column.notNull())
        .addColumn('kind', text, (column) => column.notNull())
        .addColumn('server', text, (column) => column.notNull())
        .addColumn('tool', text, (column) => column.notNull())
        .addColumn('args', text, (column) => column.notNull())
        .addColumn('reason', text, (column) => column.notNull())
        .addColumn('risk', text, (column) => column.notNull())
        .addColumn('because', text, (column) => column.notNull())
        .addColumn('status', text, (column) => column.notNull())
        .addColumn('scope', text)
        .addColumn('edited_args', text)
        .addColumn('note', text)
        .addColumn('resolved_by', text)
        .addColumn('created_at', text, (column) => column.notNull())
        .addColumn('resolved_at', text)
        .addColumn('expires_at', text, (column) => column.notNull())
        .addUniqueConstraint('approvals_run_call', ['run_id', 'tool_call_id'])
        .execute();
      await db.schema.createIndex('approvals_status').on('approvals').columns(['status', 'created_at']).execute();
      await db.schema
        .createTable('session_grants')
        .addColumn('session_id', text, (column) => column.notNull())
        .addColumn('server', text, (column) => column.notNull())
        .addColumn('tool', text, (column) => column.notNull())
        .addColumn('granted_by', text, (column) => column.notNull())
        .addColumn('created_at', text, (column) => column.notNull())
        .addPrimaryKeyConstraint('session_grants_pk', ['session_id', 'server', 'tool'])
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', (column) => column.primaryKey())
        .addColumn('at', text, (column) => column.notNull())
        .addColumn('actor', text, (column) => column.notNull())
        .addColumn('action', text, (column) => column.notNull())
        .addColumn('subject', text, (column) => column.notNull())
        .addColumn('run_id', text)
        .addColumn('details', text, (column) => column.notNull())
        .addColumn('prev_hash', text, (column) => column.notNull())
        .addColumn('hash', text, (column) => column.notNull())
        .execute();
    },
  },
  '0003_model_calls': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      // One row per paid model call (a run's step, or a sampling request answered for it): cost by model, session, day.
      await db.schema
        .createTable('model_calls')
        .addColumn('id', isPostgres(db) ? sql`bigserial` : 'integer', (column) =>
          isPostgres(db) ? column.primaryKey() : column.primaryKey().autoIncrement(),
        )
        .addColumn('run_id', text, (column) => column.notNull().references('runs.id'))
        .addColumn('session_id', text, (column) => column.notNull())
        .addColumn('step', 'integer', (column) => column.notNull())
        .addColumn('kind', text, (column) => column.notNull())
        .addColumn('model', text, (column) => column.notNull())
        .addColumn('input_tokens', 'integer', (column) => column.notNull())
        .addColumn('cached_input_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (column) => column.notNull())
        .addColumn('reasoning_tokens', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (column) => column.notNull())
        .addColumn('duration_ms', 'integer')
        .addColumn('at', text, (column) => column.notNull())
        .addColumn('day', text, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('model_calls_day').on('model_calls').columns(['day', 'model']).execute();
      await db.schema.createIndex('model_calls_session').on('model_calls').column('session_id').execute();
      await db.schema.createIndex('model_calls_run').on('model_calls').column('run_id').execute();
    },
  },
  '0004_run_leases': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      // Who executes a run right now: one row per run while a process holds it (see src/store/run-lease.ts).
      // Times are milliseconds since the epoch, so expiry is one numeric comparison on every dialect.
      await db.schema
        .createTable('run_leases')
        .addColumn('run_id', text, (column) => column.primaryKey())
        .addColumn('owner_id', text, (column) => column.notNull())
        .addColumn('pid', 'integer', (column) => column.notNull())
        .addColumn('host', text, (column) => column.notNull())
        .addColumn('started_at', 'bigint', (column) => column.notNull())
        .addColumn('heartbeat_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .execute();
      // The tool's input schema as it was when the approval was asked for: edited arguments are checked against it.
      await db.schema.alterTable('approvals').addColumn('input_schema', text).execute();
    },
  },
  '0005_oauth_tokens': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      // The OAuth credentials of remote MCP servers (deckhand mcp login), one row per server. `sealed` is the
      // AES-256-GCM ciphertext of the registration and tokens (src/store/oauth-credential-store.ts); the key is a
      // file in DECKHAND_HOME, never in the store.
      await db.schema
        .createTable('oauth_credentials')
        .addColumn('server', text, (column) => column.primaryKey())
        .addColumn('server_url', text, (column) => column.notNull())
        .addColumn('sealed', text, (column) => column.notNull())
        .addColumn('updated_at', text, (column) => column.notNull())
        .execute();
    },
  },
  '0006_session_claims': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      // One run per session at a time, at the database (see src/store/session-claim.ts): the run holding each
      // session, and until when (milliseconds since the epoch) a claim taken before the run has a lease holds.
      await db.schema
        .createTable('session_claims')
        .addColumn('session_id', text, (column) => column.primaryKey())
        .addColumn('run_id', text, (column) => column.notNull())
        .addColumn('claimed_until', 'bigint', (column) => column.notNull())
        .execute();
    },
  },
  '0007_leaner_step_writes': {
    async up(db: Kysely<unknown>) {
      // Nothing queries model calls by run (spend is summed by session and by day, reports group all rows), and
      // each index is one more page a step's commit writes.
      await db.schema.dropIndex('model_calls_run').execute();
      if (isPostgres(db)) return;
      // SQLite: AUTOINCREMENT kept `sqlite_sequence` up to date on every insert (one more page in every step's
      // commit), only so that the id of a deleted newest row is never reused, and no event or model call is ever
      // deleted: an `integer primary key` still takes the next id above the highest, so `run_events.id` still
      // only grows (followers read after it). Taking it off means rebuilding both tables (SQLite cannot alter a
      // key); their rows and ids are copied as they are.
      // SQLite's schema changes are transactional; Kysely runs SQLite migrations outside a transaction (its
      // adapter says DDL is not), so the rebuild takes one, and a crash halfway leaves the old tables as they were.
      await db.transaction().execute(async (trx) => {
        const text = 'text' as const;
        await trx.schema
          .createTable('run_events_rebuilt')
          .addColumn('id', 'integer', (column) => column.primaryKey())
          .addColumn('run_id', text, (column) => column.notNull().references('runs.id'))
          .addColumn('seq', 'integer', (column) => column.notNull())
          .addColumn('type', text, (column) => column.notNull())
          .addColumn('at', 'bigint', (column) => column.notNull())
          .addColumn('data', text, (column) => column.notNull())
          .addUniqueConstraint('run_events_run_seq', ['run_id', 'seq'])
          .execute();
        await sql`insert into run_events_rebuilt (id, run_id, seq, type, at, data) select id, run_id, seq, type, at, data from run_events`.execute(trx);
        await trx.schema
          .createTable('model_calls_rebuilt')
          .addColumn('id', 'integer', (column) => column.primaryKey())
          .addColumn('run_id', text, (column) => column.notNull().references('runs.id'))
          .addColumn('session_id', text, (column) => column.notNull())
          .addColumn('step', 'integer', (column) => column.notNull())
          .addColumn('kind', text, (column) => column.notNull())
          .addColumn('model', text, (column) => column.notNull())
          .addColumn('input_tokens', 'integer', (column) => column.notNull())
          .addColumn('cached_input_tokens', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('output_tokens', 'integer', (column) => column.notNull())
          .addColumn('reasoning_tokens', 'integer', (column) => column.notNull().defaultTo(0))
          .addColumn('cost_usd', 'double precision', (column) => column.notNull())
          .addColumn('duration_ms', 'integer')
          .addColumn('at', text, (column) => column.notNull())
          .addColumn('day', text, (column) => column.notNull())
          .execute();
        const columns = sql.raw('id, run_id, session_id, step, kind, model, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_usd, duration_ms, at, day');
        await sql`insert into model_calls_rebuilt (${columns}) select ${columns} from model_calls`.execute(trx);
        for (const table of ['run_events', 'model_calls']) {
          await trx.schema.dropTable(table).execute();
          await trx.schema.alterTable(`${table}_rebuilt`).renameTo(table).execute();
        }
        await trx.schema.createIndex('model_calls_day').on('model_calls').columns(['day', 'model']).execute();
        await trx.schema.createIndex('model_calls_session').on('model_calls').column('session_id').execute();
      });
      // The copy went through the write-ahead log whole (one transaction); without this the log would keep that
      // size on disk for as long as the store is open (a long-lived `serve`). A busy reader only makes it partial.
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    },
  },
};

/** The host's migrations, recorded in Kysely's default bookkeeping table (`kysely_migration`). */
export const HOST_MIGRATIONS: MigrationSet = { owner: 'host', table: 'kysely_migration', migrations: MIGRATIONS };

/** Applies the host's pending migrations; throws with the failing migration's name and cause. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<void> {
  await migrateSet(db, HOST_MIGRATIONS);
}

/** The newest migration name, for `deckhand doctor`. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;
