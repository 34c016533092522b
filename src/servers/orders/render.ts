/**
 * Short text renderings of the orders server's results: what a person or a model reads first, next to the
 * structured content that carries every field.
 * @module
 */
import { formatCents } from '../shared/ids.js';
import type { InventoryItem, OrderDetail, OrderSummary } from './schemas.js';

const MORE = 'More results: pass next_cursor as cursor.';

/** Starts the text of a result replayed for a repeated idempotency key, so nobody mistakes it for a second effect. */
export const REPLAYED_PREFIX = 'Already done (same idempotency_key), nothing new was changed: ';

/** Several lines: header, one line per order line, money, shipping. */
export function renderOrder(order: OrderDetail): string {
  const { customer, payments } = order;
  const lines = order.lines.map(
    (line) => `  ${line.quantity} × ${line.name} (${line.sku}) at ${formatCents(line.unit_price_cents)}`,
  );
  const shipping =
    order.shipped_at !== null
      ? `Shipped ${order.shipped_at} with ${order.carrier ?? 'unknown carrier'}, tracking ${order.tracking_number ?? 'unknown'}.`
      : order.cancelled_at !== null
        ? `Cancelled ${order.cancelled_at}.`
        : 'Not shipped yet.';
  return [
    `Order ${order.order_id} (${order.status}) for ${customer.name} (${customer.id}, ${customer.email}), placed ${order.created_at}:`,
    ...lines,
    `Total ${formatCents(order.total_cents)}; paid ${formatCents(payments.paid_cents)}, refunded ${formatCents(payments.refunded_cents)}, ` +
      `refundable ${formatCents(payments.refundable_cents)}.`,
    shipping,
  ].join('\n');
}

/** One line per order, plus a hint when there is a next page. */
export function renderOrderList(orders: readonly OrderSummary[], nextCursor: string | null): string {
  if (orders.length === 0) return 'No orders match.';
  const rows = orders.map(
    (order) =>
      `${order.order_id}  ${order.status.padEnd(9)} ${formatCents(order.total_cents).padStart(10)}  ` +
      `${order.customer_name} (${order.customer_id})  ${order.item_count} item${order.item_count === 1 ? '' : 's'}  ${order.created_at.slice(0, 10)}`,
  );
  return [...rows, ...(nextCursor ? [MORE] : [])].join('\n');
}

/** `RNG-14K-07 14k gold solitaire ring, size 7 (rings) $1299.00: 4 in stock, reorder at 2`. */
export function renderItem(item: InventoryItem): string {
  const flag = item.out_of_stock ? ' — OUT OF STOCK' : item.low_stock ? ' — LOW STOCK' : '';
  return `${item.sku} ${item.name} (${item.category}) ${formatCents(item.price_cents)}: ${item.stock} in stock, reorder at ${item.reorder_level}${flag}`;
}

/** One line per item, plus a hint when there is a next page. */
export function renderItemList(items: readonly InventoryItem[], nextCursor: string | null): string {
  if (items.length === 0) return 'No items match.';
  return [...items.map(renderItem), ...(nextCursor ? [MORE] : [])].join('\n');
}
