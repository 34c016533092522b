/**
 * The side effects on orders. Each runs inside the caller's transaction (from `runIdempotent`), so the order,
 * its payments and the stock change together or not at all. Updates are compare-and-set on the state read
 * at the start: if another writer got there first, nothing is written and a `ConcurrentChange` makes
 * `runIdempotent` run the call again on fresh state.
 * @module
 */
import type { Transaction } from 'kysely';
import type { OrdersDatabase } from './tables.js';
import { formatCents, newId, nowIso } from '../shared/ids.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { InventoryStore } from './inventory-store.js';
import { centsToDollars } from './money.js';
import { type OrderRow, OrderStore } from './order-store.js';
import { ConcurrentChange } from './run-idempotent.js';
import type { OrderDetail, Refund } from './schemas.js';

type Trx = Transaction<OrdersDatabase>;

function changedMeanwhile(orderId: string): ConcurrentChange {
  return new ConcurrentChange(`Order ${orderId}`);
}

function shipRefusal(order: OrderRow): string {
  const only = 'only paid orders can be shipped.';
  switch (order.status) {
    case 'pending':
      return `Order ${order.id} is pending (not paid); ${only}`;
    case 'shipped':
    case 'delivered':
      return (
        `Order ${order.id} is ${order.status}: it shipped on ${order.shipped_at ?? 'an unknown date'} with ${order.carrier ?? 'an unknown carrier'}, ` +
        `tracking ${order.tracking_number ?? 'unknown'}; ${only}`
      );
    default:
      return `Order ${order.id} is ${order.status}; ${only}`;
  }
}

/**
 * Marks a paid order shipped with its carrier and tracking number. Repeating it with the same carrier and
 * tracking number on an order that already shipped changes nothing and reports `already_shipped`.
 * @throws ToolFailure for an unknown order or one that is not paid.
 */
export async function markShipped(
  trx: Trx,
  options: { orderId: string; carrier: string; trackingNumber: string },
): Promise<{ order: OrderDetail; already_shipped: boolean }> {
  const { orderId, carrier, trackingNumber } = options;
  const orders = new OrderStore(trx);
  const order = await orders.require(orderId);
  const shipped = order.status === 'shipped' || order.status === 'delivered';
  if (shipped && order.carrier === carrier && order.tracking_number === trackingNumber) {
    return { order: await orders.detail(orderId), already_shipped: true };
  }
  if (order.status !== 'paid') throw new ToolFailure(shipRefusal(order));
  const now = nowIso();
  const updated = await trx
    .updateTable('orders')
    .set({ status: 'shipped', carrier, tracking_number: trackingNumber, shipped_at: now, updated_at: now })
    .where('id', '=', orderId)
    .where('status', '=', 'paid')
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw changedMeanwhile(orderId);
  return { order: await orders.detail(orderId), already_shipped: false };
}

/**
 * Cancels a pending or paid order: puts every line back in stock (one inventory movement each), refunds
 * whatever is still refundable, and sets `cancelled_at`.
 * @throws ToolFailure for an unknown order or one that shipped, was delivered, or is already cancelled or refunded.
 */
export async function cancelOrder(
  trx: Trx,
  options: { orderId: string; reason: string },
): Promise<{
  order: OrderDetail;
  refund: Refund | null;
  restocked: Array<{ sku: string; quantity: number; stock_after: number }>;
}> {
  const { orderId, reason } = options;
  const orders = new OrderStore(trx);
  const order = await orders.require(orderId);
  if (order.status !== 'pending' && order.status !== 'paid') {
    const hint =
      order.status === 'shipped' || order.status === 'delivered'
        ? ' It has left the warehouse; to give money back, use refund_order.'
        : order.status === 'cancelled'
          ? ` It was cancelled on ${order.cancelled_at ?? 'an earlier date'}.`
          : '';
    throw new ToolFailure(`Order ${orderId} is ${order.status}; only pending or paid orders can be cancelled.${hint}`);
  }
  const now = nowIso();
  const updated = await trx
    .updateTable('orders')
    .set({ status: 'cancelled', refunded_cents: order.paid_cents, cancelled_at: now, updated_at: now })
    .where('id', '=', orderId)
    .where('status', '=', order.status)
    .where('refunded_cents', '=', order.refunded_cents)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw changedMeanwhile(orderId);

  // Whatever an earlier partial refund left over, so that afterwards refunds sum to exactly what was paid.
  const refundCents = order.paid_cents - order.refunded_cents;
  const refund =
    refundCents > 0
      ? await insertRefund(trx, { orderId, amountCents: refundCents, reason: `Order cancelled: ${reason}`, at: now })
      : null;

  const inventory = new InventoryStore(trx);
  const lines = await trx
    .selectFrom('order_lines')
    .select(['sku', 'quantity'])
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
  const restocked = [];
  for (const line of lines) {
    const change = await inventory.adjust({
      sku: line.sku,
      delta: line.quantity,
      reason: `Order ${orderId} cancelled: ${reason}`,
    });
    restocked.push({ sku: line.sku, quantity: line.quantity, stock_after: change.stockAfter });
  }
  return { order: await orders.detail(orderId), refund, restocked };
}

/**
 * Refunds part or all of what is still refundable on an order (paid minus refunded). Refunding the rest
 * sets the status to `refunded`. Money only: stock is untouched (a return is an `adjust_inventory`).
 * @throws ToolFailure for an unknown order, one with nothing refundable, or an amount above the refundable one.
 */
export async function refundOrder(
  trx: Trx,
  options: { orderId: string; amountCents: number; reason: string },
): Promise<{ order: OrderDetail; refund: Refund }> {
  const { orderId, amountCents, reason } = options;
  const orders = new OrderStore(trx);
  const order = await orders.require(orderId);
  const refundable = order.paid_cents - order.refunded_cents;
  const paidSoFar = `paid ${formatCents(order.paid_cents)}, already refunded ${formatCents(order.refunded_cents)}`;
  if (refundable === 0) {
    const why =
      order.status === 'pending'
        ? 'pending (not paid)'
        : order.status === 'refunded'
          ? 'already fully refunded'
          : order.status;
    throw new ToolFailure(`Order ${orderId} is ${why}; there is nothing to refund (${paidSoFar}).`);
  }
  if (amountCents > refundable) {
    throw new ToolFailure(
      `Cannot refund ${formatCents(amountCents)} on order ${orderId}: at most ${formatCents(refundable)} is refundable (${paidSoFar}). ` +
        `Nothing was refunded; call again with an amount of ${centsToDollars(refundable)} or less.`,
    );
  }
  const now = nowIso();
  const refundedAfter = order.refunded_cents + amountCents;
  const updated = await trx
    .updateTable('orders')
    .set({
      refunded_cents: refundedAfter,
      status: refundedAfter === order.paid_cents ? 'refunded' : order.status,
      updated_at: now,
    })
    .where('id', '=', orderId)
    .where('refunded_cents', '=', order.refunded_cents)
    .where('status', '=', order.status)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw changedMeanwhile(orderId);
  const refund = await insertRefund(trx, { orderId, amountCents, reason, at: now });
  return { order: await orders.detail(orderId), refund };
}

async function insertRefund(
  trx: Trx,
  options: { orderId: string; amountCents: number; reason: string; at: string },
): Promise<Refund> {
  const paymentId = newId('P');
  await trx
    .insertInto('payments')
    .values({
      id: paymentId,
      order_id: options.orderId,
      kind: 'refund',
      amount_cents: options.amountCents,
      reason: options.reason,
      created_at: options.at,
    })
    .execute();
  return {
    payment_id: paymentId,
    amount_cents: options.amountCents,
    amount: centsToDollars(options.amountCents),
    reason: options.reason,
  };
}
