import type { Kysely, Transaction } from 'kysely';
import type { Database, OrderLineTable, OrderTable, PaymentTable } from './schema.js';
import { DEMO_CUSTOMERS, DEMO_EMAILS, DEMO_INVENTORY, DEMO_ISSUES, DEMO_NOTES, DEMO_ORDERS, type DemoOrder } from './seed-data.js';

/** The tables that hold demo data, children before parents so they can be cleared in this order. */
const DEMO_TABLES = [
  'issue_comments',
  'issues',
  'notes',
  'emails',
  'payments',
  'order_lines',
  'orders',
  'inventory_movements',
  'inventory_items',
  'customers',
  'idempotency_keys',
] as const;

const PAID_STATUSES = new Set(['paid', 'shipped', 'delivered', 'refunded']);

/** Orders with their lines and payments, consistent: totals from lines, payments matching paid and refunded amounts. */
function expandOrder(order: DemoOrder): { order: OrderTable; lines: OrderLineTable[]; payments: PaymentTable[] } {
  const lines = order.lines.map(([sku, quantity], index) => {
    const item = DEMO_INVENTORY.find((candidate) => candidate.sku === sku);
    if (!item) throw new Error(`demo order ${order.id} names unknown SKU ${sku}`);
    return { order_id: order.id, line_no: index + 1, sku, name: item.name, quantity, unit_price_cents: item.price_cents };
  });
  const total = lines.reduce((sum, line) => sum + line.quantity * line.unit_price_cents, 0);
  const paid = PAID_STATUSES.has(order.status) ? total : 0;
  const refunded = order.status === 'refunded' ? total : 0;
  const payments: PaymentTable[] = [];
  if (paid > 0) payments.push({ id: `P-${order.id}-1`, order_id: order.id, kind: 'charge', amount_cents: paid, reason: null, created_at: order.createdAt });
  if (refunded > 0) {
    payments.push({ id: `P-${order.id}-2`, order_id: order.id, kind: 'refund', amount_cents: refunded, reason: 'Returned: wrong size', created_at: order.shippedAt ?? order.createdAt });
  }
  return {
    order: {
      id: order.id,
      customer_id: order.customerId,
      status: order.status,
      total_cents: total,
      paid_cents: paid,
      refunded_cents: refunded,
      carrier: order.carrier ?? null,
      tracking_number: order.trackingNumber ?? null,
      created_at: order.createdAt,
      updated_at: order.shippedAt ?? order.createdAt,
      shipped_at: order.shippedAt ?? null,
      cancelled_at: order.status === 'cancelled' ? order.createdAt : null,
    },
    lines,
    payments,
  };
}

async function insertDemoData(trx: Transaction<Database>): Promise<void> {
  const orders = DEMO_ORDERS.map(expandOrder);
  await trx.insertInto('customers').values([...DEMO_CUSTOMERS]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await trx.insertInto('inventory_items').values([...DEMO_INVENTORY]).onConflict((conflict) => conflict.column('sku').doNothing()).execute();
  await trx.insertInto('orders').values(orders.map((entry) => entry.order)).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await trx
    .insertInto('order_lines')
    .values(orders.flatMap((entry) => entry.lines))
    .onConflict((conflict) => conflict.columns(['order_id', 'line_no']).doNothing())
    .execute();
  await trx
    .insertInto('payments')
    .values(orders.flatMap((entry) => entry.payments))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  await trx.insertInto('notes').values([...DEMO_NOTES]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await trx.insertInto('issues').values([...DEMO_ISSUES]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await trx.insertInto('emails').values([...DEMO_EMAILS]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
}

/** Inserts the demo data when it is missing; safe to run on every start and from several processes. */
export async function seedDemoData(db: Kysely<Database>): Promise<void> {
  const present = await db.selectFrom('orders').select('id').where('id', '=', 'XYZ-789').executeTakeFirst();
  if (present) return;
  await db.transaction().execute(insertDemoData);
}

/**
 * Rebuilds the demo data from scratch (`deckhand seed --reset`): clears the operational tables in one
 * transaction and inserts the demo rows again. Runs, sessions and their events are kept.
 */
export async function resetDemoData(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of DEMO_TABLES) await trx.deleteFrom(table).execute();
    await insertDemoData(trx);
  });
}
