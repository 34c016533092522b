/**
 * @module The devops server's versioned migrations, with their own bookkeeping tables, so its schema evolves on
 * its own. Run by the host when it opens the store (with every built-in server's) and checked by the server at
 * start (one read when they are already applied). Portable schema-builder types only: the same list runs on
 * SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { migrateSet, type MigrationSet } from '../../shared/database/migrate.js';
import type { DevopsDatabase } from './tables.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001_deployments_commands_usage': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      await db.schema
        .createTable('devops_deployments')
        .ifNotExists()
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('kind', text, (column) => column.notNull())
        .addColumn('environment', text, (column) => column.notNull())
        .addColumn('branch', text)
        .addColumn('sha', text, (column) => column.notNull())
        .addColumn('previous_sha', text)
        .addColumn('status', text, (column) => column.notNull())
        .addColumn('recommendation', text)
        .addColumn('risk_level', text)
        .addColumn('verdict_source', text)
        .addColumn('verdict', text)
        .addColumn('approver', text)
        .addColumn('started_at', text, (column) => column.notNull())
        .addColumn('finished_at', text)
        .addColumn('duration_ms', 'integer')
        .addColumn('exit_code', 'integer')
        .addColumn('output_tail', text)
        .addColumn('report', text)
        .execute();
      await db.schema
        .createIndex('devops_deployments_started')
        .ifNotExists()
        .on('devops_deployments')
        .columns(['started_at', 'id'])
        .execute();
      await db.schema
        .createIndex('devops_deployments_environment')
        .ifNotExists()
        .on('devops_deployments')
        .columns(['environment', 'status', 'started_at'])
        .execute();
      await db.schema
        .createTable('devops_environment_locks')
        .ifNotExists()
        .addColumn('environment', text, (column) => column.primaryKey())
        .addColumn('deployment_id', text, (column) => column.notNull())
        .addColumn('acquired_at', text, (column) => column.notNull())
        .addColumn('expires_at', text, (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('devops_commands')
        .ifNotExists()
        .addColumn('seq', 'integer', (column) => column.primaryKey())
        .addColumn('at', text, (column) => column.notNull())
        .addColumn('deployment_id', text)
        .addColumn('purpose', text, (column) => column.notNull())
        .addColumn('argv', text, (column) => column.notNull())
        .addColumn('cwd', text, (column) => column.notNull())
        .addColumn('exit_code', 'integer')
        .addColumn('signal', text)
        .addColumn('timed_out', 'integer', (column) => column.notNull())
        .addColumn('duration_ms', 'integer', (column) => column.notNull())
        .addColumn('approved_by', text)
        .addColumn('prev_hash', text, (column) => column.notNull())
        .addColumn('hash', text, (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('devops_model_usage')
        .ifNotExists()
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('at', text, (column) => column.notNull())
        .addColumn('tool', text, (column) => column.notNull())
        .addColumn('source', text, (column) => column.notNull())
        .addColumn('model', text, (column) => column.notNull())
        .addColumn('input_tokens', 'integer', (column) => column.notNull())
        .addColumn('output_tokens', 'integer', (column) => column.notNull())
        .addColumn('cost_usd', 'double precision', (column) => column.notNull())
        .addColumn('ok', 'integer', (column) => column.notNull())
        .addColumn('error', text)
        .execute();
    },
  },
};

/** The devops server's migrations and their bookkeeping table (`devops_migrations`, `devops_migrations_lock`). */
export const DEVOPS_MIGRATIONS: MigrationSet = { owner: 'devops', table: 'devops_migrations', migrations: MIGRATIONS };

const MIGRATION_ATTEMPTS = 5;
const migrated = new WeakMap<object, Promise<void>>();

/**
 * Brings the devops tables of `db` to the latest version, once per `db` object (later calls share the first
 * promise). Its bookkeeping is `devops_migrations` / `devops_migrations_lock`, apart from the host's. Two
 * processes migrating one fresh SQLite file at once can collide (SQLite has no migration lock): the loser retries.
 *
 * @throws the migration's error after {@link MIGRATION_ATTEMPTS} attempts.
 */
export function migrateDevops(db: Kysely<DevopsDatabase>): Promise<void> {
  let done = migrated.get(db);
  if (!done) {
    done = runMigrations(db);
    migrated.set(db, done);
    // A failed migration is retried on the next call instead of being cached forever.
    done.catch(() => migrated.delete(db));
  }
  return done;
}

async function runMigrations(db: Kysely<DevopsDatabase>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateSet(db, DEVOPS_MIGRATIONS);
    } catch (error) {
      const text = `${error}${(error as { cause?: unknown }).cause ?? ''}`;
      if (attempt >= MIGRATION_ATTEMPTS || !/locked|busy|UNIQUE|duplicate|already exists/i.test(text)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
