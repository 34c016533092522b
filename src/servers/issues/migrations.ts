/**
 * @module The issues versioned migrations, recorded in `issues_migrations` apart from the host's and the other
 * servers'. The issues server owns `issues` and `issue_comments`. Never edit one that has shipped: add the next.
 * Portable schema-builder types only, so the same list runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../shared/database/migrate.js';

/**
 * `if not exists` throughout: databases made before the servers owned their tables already have them (the
 * host's migration 0001 created them, identically), and there this migration only records itself.
 */
export const ISSUES_MIGRATIONS: MigrationSet = {
  owner: 'issues',
  table: 'issues_migrations',
  migrations: {
    '0001_issues': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema
          .createTable('issues')
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('title', text, (column) => column.notNull())
          .addColumn('body', text, (column) => column.notNull())
          .addColumn('status', text, (column) => column.notNull())
          .addColumn('priority', text, (column) => column.notNull())
          .addColumn('assignee', text)
          .addColumn('labels', text, (column) => column.notNull().defaultTo('[]'))
          .addColumn('related_to', text)
          .addColumn('created_at', text, (column) => column.notNull())
          .addColumn('updated_at', text, (column) => column.notNull())
          .execute();
        await db.schema.createIndex('issues_status').ifNotExists().on('issues').columns(['status', 'id']).execute();
        await db.schema
          .createTable('issue_comments')
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('issue_id', text, (column) => column.notNull().references('issues.id'))
          .addColumn('author', text, (column) => column.notNull())
          .addColumn('text', text, (column) => column.notNull())
          .addColumn('created_at', text, (column) => column.notNull())
          .execute();
      },
    },
  },
};
