/**
 * @module The notes versioned migrations, recorded in `notes_migrations` apart from the host's and the other
 * servers'. The notes server owns `notes`. Never edit one that has shipped: add the next. Portable schema-builder
 * types only, so the same list runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../shared/database/migrate.js';

/**
 * `if not exists` throughout: databases made before the servers owned their tables already have them (the
 * host's migration 0001 created them, identically), and there this migration only records itself.
 */
export const NOTES_MIGRATIONS: MigrationSet = {
  owner: 'notes',
  table: 'notes_migrations',
  migrations: {
    '0001_notes': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema
          .createTable('notes')
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('entity_type', text, (column) => column.notNull())
          .addColumn('entity_id', text, (column) => column.notNull())
          .addColumn('text', text, (column) => column.notNull())
          .addColumn('author', text, (column) => column.notNull())
          .addColumn('created_at', text, (column) => column.notNull())
          .execute();
        await db.schema.createIndex('notes_entity').ifNotExists().on('notes').columns(['entity_type', 'entity_id', 'created_at']).execute();
      },
    },
  },
};
