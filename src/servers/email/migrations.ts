/**
 * @module The email versioned migrations, recorded in `email_migrations` apart from the host's and the other
 * servers'. The email server owns `emails`, the outbox. Never edit one that has shipped: add the next. Portable
 * schema-builder types only, so the same list runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../shared/database/migrate.js';

/**
 * `if not exists` throughout: databases made before the servers owned their tables already have them (the
 * host's migration 0001 created them, identically), and there this migration only records itself.
 */
export const EMAIL_MIGRATIONS: MigrationSet = {
  owner: 'email',
  table: 'email_migrations',
  migrations: {
    '0001_emails': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema
          .createTable('emails')
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('to_address', text, (column) => column.notNull())
          .addColumn('subject', text, (column) => column.notNull())
          .addColumn('body', text, (column) => column.notNull())
          .addColumn('kind', text, (column) => column.notNull())
          .addColumn('order_id', text)
          .addColumn('status', text, (column) => column.notNull())
          .addColumn('delivery_note', text)
          .addColumn('idempotency_key', text, (column) => column.unique())
          .addColumn('created_at', text, (column) => column.notNull())
          .addColumn('updated_at', text, (column) => column.notNull())
          .execute();
      },
    },
  },
};
