import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { OrdersDatabase } from './tables.js';
import { IdempotencyKeySchema } from '../shared/idempotency.js';
import { formatCents } from '../shared/ids.js';
import { NextCursorSchema, PageInputShape } from '../shared/pagination.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { guarded, ok } from '../shared/tool-result.js';
import { dollarsToCents } from './money.js';
import { cancelOrder, markShipped, refundOrder } from './order-actions.js';
import { OrderStore, toIsoInstant } from './order-store.js';
import { REPLAYED_PREFIX, renderOrder, renderOrderList } from './render.js';
import { runIdempotent } from './run-idempotent.js';
import {
  CancelResultSchema,
  CustomerIdSchema,
  DollarAmountSchema,
  InstantSchema,
  ORDER_STATUSES,
  OrderDetailSchema,
  OrderIdSchema,
  OrderSummarySchema,
  ReasonSchema,
  RefundResultSchema,
  ShipResultSchema,
} from './schemas.js';

// Every tool here acts only on Deckhand's own store: a closed world.
const READ_ONLY = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** Ids are stored upper-case (`XYZ-789`); models often write them lower-case. */
const normaliseId = (id: string): string => id.toUpperCase();

/** Registers the order tools: `get_order`, `list_orders`, `mark_shipped`, `cancel_order`, `refund_order`. */
export function registerOrderTools(server: McpServer, db: Kysely<OrdersDatabase>): void {
  const orders = new OrderStore(db);

  server.registerTool(
    'get_order',
    {
      title: 'Get an order',
      description:
        'Look up one order by id: status, customer (id, name, email), line items, payments (paid, refunded, still refundable), ' +
        'carrier and tracking number, and dates.',
      inputSchema: z.object({ order_id: OrderIdSchema }),
      outputSchema: OrderDetailSchema,
      annotations: READ_ONLY,
    },
    guarded('get_order', async ({ order_id }) => {
      const order = await orders.detail(normaliseId(order_id));
      return ok(renderOrder(order), order);
    }),
  );

  server.registerTool(
    'list_orders',
    {
      title: 'List orders',
      description:
        'List orders, optionally filtered by customer, status or creation date. Ordered by order id and paginated: ' +
        'pass next_cursor back as cursor for the next page. Use get_order for one order in full.',
      inputSchema: z.object({
        customer_id: CustomerIdSchema.optional().describe('Only orders of this customer, e.g. C-1001'),
        status: z.enum(ORDER_STATUSES).optional().describe('Only orders in this status'),
        created_after: InstantSchema.optional().describe(
          'Only orders created at or after this ISO date or date-time, e.g. 2026-11-01',
        ),
        created_before: InstantSchema.optional().describe(
          'Only orders created before this ISO date or date-time, e.g. 2026-12-01',
        ),
        ...PageInputShape,
      }),
      outputSchema: z.object({ orders: z.array(OrderSummarySchema), next_cursor: NextCursorSchema }),
      annotations: READ_ONLY,
    },
    guarded('list_orders', async ({ customer_id, status, created_after, created_before, cursor, limit }) => {
      const page = await orders.list(
        {
          ...(customer_id !== undefined ? { customerId: normaliseId(customer_id) } : {}),
          ...(status !== undefined ? { status } : {}),
          ...(created_after !== undefined ? { createdAfter: toIsoInstant(created_after) } : {}),
          ...(created_before !== undefined ? { createdBefore: toIsoInstant(created_before) } : {}),
        },
        { ...(cursor !== undefined ? { cursor } : {}), limit },
      );
      return ok(renderOrderList(page.orders, page.next_cursor), page);
    }),
  );

  server.registerTool(
    'mark_shipped',
    {
      title: 'Mark an order shipped',
      description:
        'Mark a paid order as shipped, recording the carrier and tracking number. Only orders in status paid can be shipped. ' +
        'Repeating the call with the same carrier and tracking number changes nothing.',
      inputSchema: z.object({
        order_id: OrderIdSchema,
        carrier: z.string().trim().min(1).max(64).describe('Shipping carrier, e.g. UPS, USPS, FedEx'),
        tracking_number: z.string().trim().min(1).max(64).describe("The carrier's tracking number"),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: ShipResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded('mark_shipped', async ({ order_id, carrier, tracking_number, idempotency_key }) => {
      const orderId = normaliseId(order_id);
      const result = await runIdempotent(
        db,
        { key: idempotency_key, tool: 'mark_shipped', request: { order_id: orderId, carrier, tracking_number } },
        (trx) => markShipped(trx, { orderId, carrier, trackingNumber: tracking_number }),
      );
      const what = result.already_shipped
        ? `Order ${orderId} had already shipped with ${carrier}, tracking ${tracking_number}; nothing changed.`
        : `Order ${orderId} marked shipped with ${carrier}, tracking ${tracking_number}.`;
      return ok(`${result.replayed ? REPLAYED_PREFIX : ''}${what}`, result);
    }),
  );

  server.registerTool(
    'cancel_order',
    {
      title: 'Cancel an order',
      description:
        'Cancel a pending or paid order: puts its items back in stock and refunds everything still refundable. ' +
        'Orders that shipped or were delivered cannot be cancelled (use refund_order for money back). Cannot be undone.',
      inputSchema: z.object({
        order_id: OrderIdSchema,
        reason: ReasonSchema.describe(
          'Why it is cancelled, e.g. "customer request"; stored with the refund and the stock movements',
        ),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: CancelResultSchema,
      // Destructive and final; a repeat with the same arguments only finds the order cancelled and changes nothing.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('cancel_order', async ({ order_id, reason, idempotency_key }) => {
      const orderId = normaliseId(order_id);
      const result = await runIdempotent(
        db,
        { key: idempotency_key, tool: 'cancel_order', request: { order_id: orderId } },
        (trx) => cancelOrder(trx, { orderId, reason }),
      );
      const refund = result.refund
        ? `refunded ${formatCents(result.refund.amount_cents)}`
        : 'nothing to refund (it was not paid)';
      const restocked = result.restocked.map((line) => `${line.quantity} × ${line.sku}`).join(', ') || 'no items';
      return ok(
        `${result.replayed ? REPLAYED_PREFIX : ''}Order ${orderId} cancelled; ${refund}; restocked ${restocked}.`,
        result,
      );
    }),
  );

  server.registerTool(
    'refund_order',
    {
      title: 'Refund an order',
      description:
        "Refund part or all of an order's payment. The amount is in dollars (e.g. 25.50) and may not exceed the refundable amount " +
        '(paid minus already refunded; see get_order). Refunding all that remains sets the order to refunded. ' +
        'Money only: stock is not changed. Pass an idempotency_key so that a retry never refunds twice.',
      inputSchema: z.object({
        order_id: OrderIdSchema,
        amount: DollarAmountSchema.describe(
          'Amount to refund in dollars with at most 2 decimals, e.g. 25.50; greater than 0',
        ),
        reason: ReasonSchema.describe('Why, e.g. "damaged in transit"; stored with the refund'),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: RefundResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    guarded('refund_order', async ({ order_id, amount, reason, idempotency_key }) => {
      const orderId = normaliseId(order_id);
      const amountCents = dollarsToCents(amount);
      if (amountCents === undefined)
        throw new ToolFailure(`amount ${amount} is not a dollar amount with at most 2 decimals, e.g. 25.50.`);
      const result = await runIdempotent(
        db,
        { key: idempotency_key, tool: 'refund_order', request: { order_id: orderId, amount_cents: amountCents } },
        (trx) => refundOrder(trx, { orderId, amountCents, reason }),
      );
      const { payments, status } = result.order;
      return ok(
        `${result.replayed ? REPLAYED_PREFIX : ''}Refunded ${formatCents(result.refund.amount_cents)} on order ${orderId} ` +
          `(payment ${result.refund.payment_id}). Order is ${status}; refunded ${formatCents(payments.refunded_cents)} of ` +
          `${formatCents(payments.paid_cents)}, ${formatCents(payments.refundable_cents)} still refundable.`,
        result,
      );
    }),
  );
}
