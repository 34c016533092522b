import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../store/schema.js';
import { embeddedJson, jsonResource, registerRecordTemplate, RESOURCE_LIST_LIMIT, unknownArgument } from './resource-content.js';

/** The most recent orders with their customer, newest first. */
function recentOrders(db: Kysely<Database>) {
  return db
    .selectFrom('orders')
    .innerJoin('customers', 'customers.id', 'orders.customer_id')
    .select([
      'orders.id',
      'orders.status',
      'orders.total_cents',
      'orders.created_at',
      'orders.shipped_at',
      'customers.id as customer_id',
      'customers.name as customer_name',
    ])
    .orderBy('orders.created_at', 'desc')
    .limit(RESOURCE_LIST_LIMIT)
    .execute();
}

/** One order with its customer, lines and payments; undefined when there is no such order. */
async function orderRecord(db: Kysely<Database>, orderId: string) {
  const order = await db
    .selectFrom('orders')
    .innerJoin('customers', 'customers.id', 'orders.customer_id')
    .selectAll('orders')
    .select(['customers.name as customer_name', 'customers.email as customer_email'])
    .where('orders.id', '=', orderId)
    .executeTakeFirst();
  if (!order) return undefined;
  const [lines, payments] = await Promise.all([
    db
      .selectFrom('order_lines')
      .select(['line_no', 'sku', 'name', 'quantity', 'unit_price_cents'])
      .where('order_id', '=', orderId)
      .orderBy('line_no')
      .execute(),
    db
      .selectFrom('payments')
      .select(['id', 'kind', 'amount_cents', 'reason', 'created_at'])
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .execute(),
  ]);
  return { ...order, lines, payments };
}

/** Inventory at or below its reorder level, emptiest first. */
function lowStock(db: Kysely<Database>) {
  return db
    .selectFrom('inventory_items')
    .select(['sku', 'name', 'category', 'stock', 'reorder_level', 'updated_at'])
    .whereRef('stock', '<=', 'reorder_level')
    .orderBy('stock')
    .orderBy('sku')
    .execute();
}

/**
 * Orders: `orders://orders` (recent), `orders://orders/{order_id}`, `orders://inventory/low-stock`, and prompt
 * `order_status_update`.
 */
export function registerOrdersResources(server: McpServer, db: Kysely<Database>): void {
  server.registerResource(
    'recent-orders',
    'orders://orders',
    {
      title: 'Recent orders',
      description: `The ${RESOURCE_LIST_LIMIT} most recent orders, newest first: id, status, total (cents), customer, dates.`,
      mimeType: 'application/json',
    },
    async (uri) => jsonResource(uri, await recentOrders(db)),
  );

  server.registerResource(
    'low-stock',
    'orders://inventory/low-stock',
    {
      title: 'Low stock',
      description: 'Inventory items at or below their reorder level, emptiest first.',
      mimeType: 'application/json',
    },
    async (uri) => jsonResource(uri, await lowStock(db)),
  );

  registerRecordTemplate(server, {
    name: 'order',
    template: 'orders://orders/{order_id}',
    variable: 'order_id',
    title: 'Order',
    description: 'One order (e.g. orders://orders/XYZ-789): status, customer, lines, payments, carrier and tracking.',
    what: 'order',
    hint: 'See orders://orders for recent order ids.',
    load: (id) => orderRecord(db, id),
  });

  server.registerPrompt(
    'order_status_update',
    {
      title: 'Order status update',
      description:
        'Draft a short status update for the customer of one order, from its status, items, payments and tracking.',
      argsSchema: z.object({ order_id: z.string().trim().min(1).max(64).describe('Order id, e.g. XYZ-789') }),
    },
    async ({ order_id }) => {
      const orderId = order_id.toUpperCase();
      const order = await orderRecord(db, orderId);
      if (!order) unknownArgument(`No order ${orderId}. Read orders://orders for recent order ids.`);
      return {
        description: `Status update for order ${orderId}`,
        messages: [
          { role: 'user', content: embeddedJson(`orders://orders/${orderId}`, order) },
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `Draft a short, friendly status update to ${order.customer_name} about order ${orderId}: what they ordered, ` +
                'where it stands (with carrier and tracking number when shipped), and any refund. Amounts are in cents; show ' +
                'dollars. Do not promise dates the data does not support.',
            },
          },
        ],
      };
    },
  );
}
