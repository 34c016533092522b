/**
 * @module Test fixture: the host's migration list exactly as it was before each built-in server owned its tables
 * (0001 still created customers, orders, inventory, notes, emails, issues and idempotency keys beside the runs).
 * A database made with it is what an existing install has; `upgrade.test.ts` opens one with the current code.
 * Never change it: it is a record of the past.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { isPostgres } from '../../shared/database/migrate.js';

export const MIGRATIONS_BEFORE_SERVERS_OWNED_THEIR_TABLES: Record<string, Migration> = {
  '0001_operations_and_runs': {
    async up(db: Kysely<unknown>) {
      const text = 'text' as const;
      await db.schema
        .createTable('customers')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('name', text, (column) => column.notNull())
        .addColumn('email', text, (column) => column.notNull())
        .addColumn('phone', text)
        .addColumn('city', text)
        .addColumn('tier', text, (column) => column.notNull().defaultTo('standard'))
        .addColumn('created_at', text, (column) => column.notNull())
        .addColumn('updated_at', text, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('customers_email').on('customers').column('email').execute();

      await db.schema
        .createTable('inventory_items')
        .addColumn('sku', text, (column) => column.primaryKey())
        .addColumn('name', text, (column) => column.notNull())
        .addColumn('category', text, (column) => column.notNull())
        .addColumn('price_cents', 'integer', (column) => column.notNull())
        .addColumn('stock', 'integer', (column) => column.notNull().check(sql`stock >= 0`))
        .addColumn('reorder_level', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('updated_at', text, (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('inventory_movements')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('sku', text, (column) => column.notNull().references('inventory_items.sku'))
        .addColumn('delta', 'integer', (column) => column.notNull())
        .addColumn('reason', text, (column) => column.notNull())
        .addColumn('created_at', text, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('inventory_movements_sku').on('inventory_movements').column('sku').execute();

      await db.schema
        .createTable('orders')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('customer_id', text, (column) => column.notNull().references('customers.id'))
        .addColumn('status', text, (column) => column.notNull())
        .addColumn('total_cents', 'integer', (column) => column.notNull())
        .addColumn('paid_cents', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('refunded_cents', 'integer', (column) => column.notNull().defaultTo(0).check(sql`refunded_cents <= paid_cents`))
        .addColumn('carrier', text)
        .addColumn('tracking_number', text)
        .addColumn('created_at', text, (column) => column.notNull())
        .addColumn('updated_at', text, (column) => column.notNull())
        .addColumn('shipped_at', text)
        .addColumn('cancelled_at', text)
        .execute();
      await db.schema.createIndex('orders_customer_id').on('orders').columns(['customer_id', 'id']).execute();
      await db.schema.createIndex('orders_status').on('orders').columns(['status', 'id']).execute();
      await db.schema.createIndex('orders_created_at').on('orders').columns(['created_at', 'id']).execute();
      await db.schema
        .createTable('order_lines')
        .addColumn('order_id', text, (column) => column.notNull().references('orders.id'))
        .addColumn('line_no', 'integer', (column) => column.notNull())
        .addColumn('sku', text, (column) => column.notNull().references('inventory_items.sku'))
        .addColumn('name', text, (column) => column.notNull())
        .addColumn('quantity', 'integer', (column) => column.notNull().check(sql`quantity > 0`))
        .addColumn('unit_price_cents', 'integer', (column) => column.notNull())
        .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'line_no'])
        .execute();
      await db.schema
        .createTable('payments')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('order_id', text, (column) => column.notNull().references('orders.id'))
        .addColumn('kind', text, (column) => column.notNull())
        .addColumn('amount_cents', 'integer', (column) => column.notNull().check(sql`amount_cents > 0`))
        .addColumn('reason', text)
        .addColumn('created_at', text, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('payments_order_id').on('payments').column('order_id').execute();

      await db.schema
        .createTable('notes')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('entity_type', text, (column) => column.notNull())
        .addColumn('entity_id', text, (column) => column.notNull())
        .addColumn('text', text, (column) => column.notNull())
        .addColumn('author', text, (column) => column.notNull())
        .addColumn('created_at', text, (column) => column.notNull())
        .execute();
      await db.schema.createIndex('notes_entity').on('notes').columns(['entity_type', 'entity_id', 'created_at']).execute();

      await db.schema
        .createTable('emails')
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

      await db.schema
        .createTable('issues')
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
      await db.schema.createIndex('issues_status').on('issues').columns(['status', 'id']).execute();
      await db.schema
        .createTable('issue_comments')
        .addColumn('id', text, (column) => column.primaryKey())
        .addColumn('issue_id', text, (column) => column.notNull().references('issues.id'))
        .addColumn('author', text, (column) => column.notNull())
        .addColumn('text', text, (column) => column.notNull())
        .addColumn('created_at', text, (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key', text, (column) => column.primaryKey())
        .addColumn('tool', text, (column) => column.notNull())
        .addColumn('result', text, (column) => column.notNull())
        .addColumn('created_at', text, (column) => column.notNull())
        .execute();

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
};
