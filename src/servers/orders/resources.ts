import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { OrderStore } from './order-store.js';
import type { OrdersDatabase } from './tables.js';
import { embeddedJson, jsonResource, registerRecordTemplate, RESOURCE_LIST_LIMIT, unknownArgument } from '../shared/resource-content.js';

/** The most recent orders with their customer, newest first. */
function recentOrders(db: Kysely<OrdersDatabase>) {
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

/** Inventory at or below its reorder level, emptiest first. */
function lowStock(db: Kysely<OrdersDatabase>) {
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
export function registerOrdersResources(server: McpServer, db: Kysely<OrdersDatabase>): void {
  // One order reads as `get_order` answers it: the same store, the same shape.
  const orders = new OrderStore(db);
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
    description: 'One order (e.g. orders://orders/XYZ-789) as get_order returns it: status, customer, lines, payments, carrier and tracking.',
    what: 'order',
    hint: 'See orders://orders for recent order ids.',
    load: (id) => orders.find(id),
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
      const order = await orders.find(orderId);
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
                `Draft a short, friendly status update to ${order.customer.name} about order ${orderId}: what they ordered, ` +
                'where it stands (with carrier and tracking number when shipped), and any refund. Show amounts in dollars ' +
                '(the dollar fields, not the _cents ones). Do not promise dates the data does not support.',
            },
          },
        ],
      };
    },
  );
}
