import type { Kysely } from 'kysely';
import type { EmailDatabase } from './tables.js';

const ORDER_ID_PATTERN = /\b([A-Z]{2,5}-\d{2,8})\b/i;

export interface ShippingEmailContent {
  readonly subject: string;
  readonly body: string;
  readonly orderId: string | null;
  /** Set when the details name an order id the store does not have. */
  readonly unknownOrderId?: string;
}

/**
 * Builds the shipping confirmation from the caller's free-text details, enriched with the order's items,
 * carrier and tracking number when the details name a known order.
 */
export async function describeOrder(db: Kysely<EmailDatabase>, details: string): Promise<ShippingEmailContent> {
  const orderId = details.match(ORDER_ID_PATTERN)?.[1]?.toUpperCase() ?? null;
  if (!orderId) {
    return {
      subject: 'Your order has shipped',
      body: `Good news — your order has shipped.\n\n${details}\n`,
      orderId: null,
    };
  }
  const order = await db
    .selectFrom('orders')
    .innerJoin('customers', 'customers.id', 'orders.customer_id')
    .select(['orders.carrier', 'orders.tracking_number', 'customers.name'])
    .where('orders.id', '=', orderId)
    .executeTakeFirst();
  if (!order) return { subject: '', body: '', orderId, unknownOrderId: orderId };
  const lines = await db
    .selectFrom('order_lines')
    .select(['name', 'quantity'])
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
  const items = lines.map((line) => `  - ${line.quantity} × ${line.name}`).join('\n');
  const tracking =
    order.carrier && order.tracking_number
      ? `\nCarrier: ${order.carrier}\nTracking number: ${order.tracking_number}\n`
      : '';
  const body =
    `Hi ${order.name.split(' ')[0]},\n\nGood news — your order ${orderId} has shipped.\n\n${items}\n${tracking}` +
    `\n${details}\n\nThank you for shopping with us.\n`;
  return { subject: `Your order ${orderId} has shipped`, body, orderId };
}
