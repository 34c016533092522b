/**
 * @module The crm versioned migrations, recorded in `crm_migrations` apart from the host's and the other servers'.
 * The crm server owns `customers`. Never edit one that has shipped: add the next. Portable schema-builder types only,
 * so the same list runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../shared/database/migrate.js';

/**
 * `if not exists` throughout: databases made before the servers owned their tables already have them (the
 * host's migration 0001 created them, identically), and there this migration only records itself.
 */
export const CRM_MIGRATIONS: MigrationSet = {
  owner: 'crm',
  table: 'crm_migrations',
  migrations: {
    '0001_customers': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema
          .createTable('customers')
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('name', text, (column) => column.notNull())
          .addColumn('email', text, (column) => column.notNull())
          .addColumn('phone', text)
          .addColumn('city', text)
          .addColumn('tier', text, (column) => column.notNull().defaultTo('standard'))
          .addColumn('created_at', text, (column) => column.notNull())
          .addColumn('updated_at', text, (column) => column.notNull())
          .execute();
        await db.schema.createIndex('customers_email').ifNotExists().on('customers').column('email').execute();
      },
    },
  },
};
