import type { Kysely } from 'kysely';
import type { CustomerTable, Database, OrderTable } from './schema.js';

/**
 * Demo data for a jewelry retailer, with stable ids so the README's examples work:
 * order XYZ-789 belongs to Lisa Park (C-1001) and has shipped.
 */
const CUSTOMERS: CustomerTable[] = [
  { id: 'C-1001', name: 'Lisa Park', email: 'lisa.park@example.com', phone: '+1-415-555-0101', created_at: '2026-01-12T10:00:00.000Z' },
  { id: 'C-1002', name: 'Marcus Chen', email: 'marcus.chen@example.com', phone: '+1-212-555-0142', created_at: '2026-02-03T15:30:00.000Z' },
  { id: 'C-1003', name: 'Priya Raman', email: 'priya.raman@example.com', phone: '+1-312-555-0199', created_at: '2026-03-21T09:15:00.000Z' },
  { id: 'C-1004', name: 'Daniel Okafor', email: 'daniel.okafor@example.com', phone: null, created_at: '2026-05-08T18:45:00.000Z' },
];

const item = (sku: string, name: string, quantity: number, unitPriceCents: number) => ({
  sku,
  name,
  quantity,
  unit_price_cents: unitPriceCents,
});

const ORDERS: OrderTable[] = [
  {
    id: 'XYZ-789',
    customer_id: 'C-1001',
    status: 'shipped',
    items: JSON.stringify([item('RNG-14K-07', '14k gold solitaire ring, size 7', 1, 129_900)]),
    total_cents: 129_900,
    carrier: 'UPS',
    tracking_number: '1Z999AA10123456784',
    created_at: '2026-11-18T14:02:00.000Z',
    shipped_at: '2026-11-21T16:40:00.000Z',
  },
  {
    id: 'XYZ-790',
    customer_id: 'C-1002',
    status: 'paid',
    items: JSON.stringify([item('NCK-SLV-18', 'Sterling silver chain necklace, 18"', 2, 8_900)]),
    total_cents: 17_800,
    carrier: null,
    tracking_number: null,
    created_at: '2026-11-19T11:20:00.000Z',
    shipped_at: null,
  },
  {
    id: 'XYZ-791',
    customer_id: 'C-1003',
    status: 'delivered',
    items: JSON.stringify([item('EAR-PRL-06', 'Freshwater pearl stud earrings', 1, 14_500)]),
    total_cents: 14_500,
    carrier: 'USPS',
    tracking_number: '9400111202555842761234',
    created_at: '2026-11-02T08:05:00.000Z',
    shipped_at: '2026-11-04T13:00:00.000Z',
  },
  {
    id: 'ABC-123',
    customer_id: 'C-1004',
    status: 'pending',
    items: JSON.stringify([item('BRC-GLD-02', 'Gold tennis bracelet', 1, 89_000)]),
    total_cents: 89_000,
    carrier: null,
    tracking_number: null,
    created_at: '2026-11-20T20:30:00.000Z',
    shipped_at: null,
  },
];

/** Inserts the demo rows that are missing; safe to run on every start and from several processes. */
export async function seedDemoData(db: Kysely<Database>): Promise<void> {
  const present = await db.selectFrom('orders').select('id').where('id', '=', 'XYZ-789').executeTakeFirst();
  if (present) return;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('customers').values(CUSTOMERS).onConflict((conflict) => conflict.column('id').doNothing()).execute();
    await trx.insertInto('orders').values(ORDERS).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  });
}
