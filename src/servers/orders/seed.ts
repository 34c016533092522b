/**
 * @module The orders server's demo inventory and orders, consistent: totals from lines, payments matching the
 * paid and refunded amounts. Ids are stable so the README's examples work: XYZ-789 (Lisa Park's ring) shipped
 * with UPS. The orders name customers of the crm server's demo data, which is seeded first.
 */
import type { Kysely } from 'kysely';
import type { InventoryItemTable, OrderLineTable, OrdersTables, OrderStatus, OrderTable, PaymentTable } from './tables.js';

const CREATED = '2026-01-05T09:00:00.000Z';

const item = (sku: string, name: string, category: string, priceCents: number, stock: number, reorderLevel: number): InventoryItemTable => ({
  sku,
  name,
  category,
  price_cents: priceCents,
  stock,
  reorder_level: reorderLevel,
  updated_at: CREATED,
});

export const DEMO_INVENTORY: readonly InventoryItemTable[] = [
  item('RNG-14K-07', '14k gold solitaire ring, size 7', 'rings', 129_900, 4, 2),
  item('RNG-SLV-06', 'Sterling silver stacking ring, size 6', 'rings', 4_900, 38, 10),
  item('RNG-PLT-08', 'Platinum wedding band, size 8', 'rings', 189_000, 2, 2),
  item('RNG-RUB-06', 'Ruby halo ring, size 6', 'rings', 245_000, 1, 2),
  item('NCK-SLV-18', 'Sterling silver chain necklace, 18"', 'necklaces', 8_900, 25, 8),
  item('NCK-GLD-16', '14k gold heart pendant, 16"', 'necklaces', 59_500, 6, 3),
  item('NCK-PRL-18', 'Akoya pearl strand, 18"', 'necklaces', 119_000, 3, 2),
  item('PND-EMR-01', 'Emerald drop pendant', 'necklaces', 164_000, 0, 1),
  item('EAR-PRL-06', 'Freshwater pearl stud earrings', 'earrings', 14_500, 17, 5),
  item('EAR-DIA-05', 'Diamond stud earrings, 0.5 ct', 'earrings', 99_000, 5, 3),
  item('EAR-GLD-HP', '14k gold hoop earrings', 'earrings', 24_900, 12, 4),
  item('BRC-GLD-02', 'Gold tennis bracelet', 'bracelets', 89_000, 3, 2),
  item('BRC-SLV-CH', 'Silver charm bracelet', 'bracelets', 7_900, 21, 6),
  item('WCH-LTH-01', 'Rose gold watch, leather strap', 'watches', 32_000, 7, 3),
  item('CHN-GLD-20', '18k gold rope chain, 20"', 'necklaces', 74_500, 4, 2),
  item('CLN-KIT-01', 'Jewelry cleaning kit', 'accessories', 1_900, 40, 10),
];

export interface DemoOrder {
  readonly id: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly lines: ReadonlyArray<readonly [sku: string, quantity: number]>;
  readonly createdAt: string;
  readonly shippedAt?: string;
  readonly carrier?: string;
  readonly trackingNumber?: string;
}

export const DEMO_ORDERS: readonly DemoOrder[] = [
  { id: 'XYZ-702', customerId: 'C-1001', status: 'delivered', lines: [['EAR-PRL-06', 1]], createdAt: '2026-09-14T10:12:00.000Z', shippedAt: '2026-09-16T15:00:00.000Z', carrier: 'USPS', trackingNumber: '9400111202555842761001' },
  { id: 'XYZ-789', customerId: 'C-1001', status: 'shipped', lines: [['RNG-14K-07', 1]], createdAt: '2026-11-18T14:02:00.000Z', shippedAt: '2026-11-21T16:40:00.000Z', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
  { id: 'XYZ-790', customerId: 'C-1002', status: 'paid', lines: [['NCK-SLV-18', 2]], createdAt: '2026-11-19T11:20:00.000Z' },
  { id: 'XYZ-791', customerId: 'C-1003', status: 'delivered', lines: [['EAR-PRL-06', 1]], createdAt: '2026-11-02T08:05:00.000Z', shippedAt: '2026-11-04T13:00:00.000Z', carrier: 'USPS', trackingNumber: '9400111202555842761234' },
  { id: 'ABC-123', customerId: 'C-1004', status: 'pending', lines: [['BRC-GLD-02', 1]], createdAt: '2026-11-20T20:30:00.000Z' },
  { id: 'XYZ-792', customerId: 'C-1005', status: 'shipped', lines: [['NCK-PRL-18', 1], ['CLN-KIT-01', 1]], createdAt: '2026-11-15T09:45:00.000Z', shippedAt: '2026-11-17T12:10:00.000Z', carrier: 'FedEx', trackingNumber: '772899172634' },
  { id: 'XYZ-793', customerId: 'C-1006', status: 'cancelled', lines: [['WCH-LTH-01', 1]], createdAt: '2026-11-10T17:25:00.000Z' },
  { id: 'XYZ-794', customerId: 'C-1007', status: 'refunded', lines: [['RNG-SLV-06', 3]], createdAt: '2026-10-28T13:30:00.000Z', shippedAt: '2026-10-30T10:00:00.000Z', carrier: 'USPS', trackingNumber: '9400111202555842769876' },
  { id: 'XYZ-795', customerId: 'C-1008', status: 'paid', lines: [['EAR-DIA-05', 1], ['CLN-KIT-01', 2]], createdAt: '2026-11-21T08:15:00.000Z' },
  { id: 'XYZ-796', customerId: 'C-1012', status: 'delivered', lines: [['NCK-GLD-16', 1]], createdAt: '2026-10-05T16:40:00.000Z', shippedAt: '2026-10-07T09:30:00.000Z', carrier: 'UPS', trackingNumber: '1Z999AA10123451111' },
  { id: 'XYZ-797', customerId: 'C-1011', status: 'shipped', lines: [['BRC-SLV-CH', 1]], createdAt: '2026-11-16T19:05:00.000Z', shippedAt: '2026-11-19T11:00:00.000Z', carrier: 'USPS', trackingNumber: '9400111202555842765555' },
  { id: 'XYZ-798', customerId: 'C-1009', status: 'paid', lines: [['CHN-GLD-20', 1]], createdAt: '2026-11-21T21:50:00.000Z' },
  { id: 'XYZ-799', customerId: 'C-1010', status: 'pending', lines: [['EAR-GLD-HP', 2]], createdAt: '2026-11-22T01:10:00.000Z' },
  { id: 'XYZ-800', customerId: 'C-1005', status: 'delivered', lines: [['RNG-PLT-08', 1]], createdAt: '2026-08-20T12:00:00.000Z', shippedAt: '2026-08-22T12:00:00.000Z', carrier: 'FedEx', trackingNumber: '772899170001' },
];

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

/** Inserts the demo inventory and orders when order XYZ-789 is missing; rows already there are kept. */
export async function seedOrders(db: Kysely<OrdersTables>): Promise<void> {
  if (await db.selectFrom('orders').select('id').where('id', '=', 'XYZ-789').executeTakeFirst()) return;
  const orders = DEMO_ORDERS.map(expandOrder);
  await db.insertInto('inventory_items').values([...DEMO_INVENTORY]).onConflict((conflict) => conflict.column('sku').doNothing()).execute();
  await db.insertInto('orders').values(orders.map((entry) => entry.order)).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await db
    .insertInto('order_lines')
    .values(orders.flatMap((entry) => entry.lines))
    .onConflict((conflict) => conflict.columns(['order_id', 'line_no']).doNothing())
    .execute();
  await db
    .insertInto('payments')
    .values(orders.flatMap((entry) => entry.payments))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}
