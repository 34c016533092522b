/**
 * @module The orders versioned migrations, recorded in `orders_migrations` apart from the host's and the other
 * servers'. Orders reference `customers`, so the crm migrations run first (`servers/data.ts`). Never edit one that
 * has shipped: add the next. Portable schema-builder types only, so the same list runs on SQLite and PostgreSQL.
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../shared/database/migrate.js';

/**
 * `if not exists` throughout: databases made before the servers owned their tables already have them (the
 * host's migration 0001 created them, identically), and there this migration only records itself.
 */
export const ORDERS_MIGRATIONS: MigrationSet = {
  owner: 'orders',
  table: 'orders_migrations',
  migrations: {
    '0001_orders_inventory': {
      async up(db: Kysely<unknown>) {
        const text = 'text' as const;
        await db.schema
          .createTable('inventory_items')
          .ifNotExists()
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
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('sku', text, (column) => column.notNull().references('inventory_items.sku'))
          .addColumn('delta', 'integer', (column) => column.notNull())
          .addColumn('reason', text, (column) => column.notNull())
          .addColumn('created_at', text, (column) => column.notNull())
          .execute();
        await db.schema.createIndex('inventory_movements_sku').ifNotExists().on('inventory_movements').column('sku').execute();

        await db.schema
          .createTable('orders')
          .ifNotExists()
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
        await db.schema.createIndex('orders_customer_id').ifNotExists().on('orders').columns(['customer_id', 'id']).execute();
        await db.schema.createIndex('orders_status').ifNotExists().on('orders').columns(['status', 'id']).execute();
        await db.schema.createIndex('orders_created_at').ifNotExists().on('orders').columns(['created_at', 'id']).execute();
        await db.schema
          .createTable('order_lines')
          .ifNotExists()
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
          .ifNotExists()
          .addColumn('id', text, (column) => column.primaryKey())
          .addColumn('order_id', text, (column) => column.notNull().references('orders.id'))
          .addColumn('kind', text, (column) => column.notNull())
          .addColumn('amount_cents', 'integer', (column) => column.notNull().check(sql`amount_cents > 0`))
          .addColumn('reason', text)
          .addColumn('created_at', text, (column) => column.notNull())
          .execute();
        await db.schema.createIndex('payments_order_id').ifNotExists().on('payments').column('order_id').execute();
      },
    },
  },
};
