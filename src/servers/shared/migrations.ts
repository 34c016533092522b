/**
 * @module The idempotency versioned migrations, recorded in `idempotency_migrations` apart from the host's and the
 * other servers'. `idempotency_keys` is shared by the side-effecting servers (a key names one call across all of
 * them). Never edit one that has shipped: add the next. Portable schema-builder types only, so the same list runs on
 * SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../shared/database/migrate.js';

/**
 * `if not exists` throughout: databases made before the servers owned their tables already have them (the
 * host's migration 0001 created them, identically), and there this migration only records itself.
 */
export const IDEMPOTENCY_MIGRATIONS: MigrationSet = {
  owner: 'idempotency',
  table: 'idempotency_migrations',
  migrations: {
    '0001_idempotency_keys': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema
          .createTable('idempotency_keys')
          .ifNotExists()
          .addColumn('key', text, (column) => column.primaryKey())
          .addColumn('tool', text, (column) => column.notNull())
          .addColumn('result', text, (column) => column.notNull())
          .addColumn('created_at', text, (column) => column.notNull())
          .execute();
      },
    },
  },
};
