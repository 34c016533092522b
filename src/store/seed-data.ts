import type {
  CustomerTable,
  EmailTable,
  InventoryItemTable,
  IssueTable,
  NoteTable,
  OrderStatus,
} from './schema.js';

/**
 * Demo data for a jewelry retailer. Ids are stable so the README's examples work: order XYZ-789 belongs
 * to Lisa Park (C-1001) and shipped with UPS; there is also a Lisa Parker, so searches must be exact enough.
 */
const CREATED = '2026-01-05T09:00:00.000Z';

const customer = (id: string, name: string, city: string, tier: 'standard' | 'vip', phone: string | null): CustomerTable => ({
  id,
  name,
  email: `${name.toLowerCase().replace(/[^a-z ]/g, '').replace(' ', '.')}@example.com`,
  phone,
  city,
  tier,
  created_at: CREATED,
  updated_at: CREATED,
});

export const DEMO_CUSTOMERS: readonly CustomerTable[] = [
  customer('C-1001', 'Lisa Park', 'San Francisco', 'vip', '+1-415-555-0101'),
  customer('C-1002', 'Marcus Chen', 'New York', 'standard', '+1-212-555-0142'),
  customer('C-1003', 'Priya Raman', 'Chicago', 'standard', '+1-312-555-0199'),
  customer('C-1004', 'Daniel Okafor', 'Houston', 'standard', null),
  customer('C-1005', 'Sofia Alvarez', 'Miami', 'vip', '+1-305-555-0117'),
  customer('C-1006', 'James Oconnor', 'Boston', 'standard', '+1-617-555-0163'),
  customer('C-1007', 'Aiko Tanaka', 'Seattle', 'standard', '+1-206-555-0188'),
  customer('C-1008', 'Fatima Haddad', 'Detroit', 'vip', '+1-313-555-0124'),
  customer('C-1009', 'Noah Williams', 'Denver', 'standard', null),
  customer('C-1010', 'Elena Petrova', 'Portland', 'standard', '+1-503-555-0175'),
  customer('C-1011', 'Lisa Parker', 'Austin', 'standard', '+1-512-555-0133'),
  customer('C-1012', 'Grace Kim', 'Los Angeles', 'vip', '+1-213-555-0156'),
];

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

const NOTE_TIME = '2026-11-01T10:00:00.000Z';

export const DEMO_NOTES: readonly NoteTable[] = [
  { id: 'N-0001', entity_type: 'customer', entity_id: 'C-1001', text: 'VIP since 2024. Prefers email over phone.', author: 'sam@store', created_at: NOTE_TIME },
  { id: 'N-0002', entity_type: 'order', entity_id: 'XYZ-790', text: 'Gift wrap requested; card reads "Happy anniversary".', author: 'dana@store', created_at: '2026-11-19T11:25:00.000Z' },
  { id: 'N-0003', entity_type: 'sku', entity_id: 'PND-EMR-01', text: 'Supplier restock expected early December.', author: 'sam@store', created_at: '2026-11-12T09:00:00.000Z' },
];

const issue = (
  id: string,
  title: string,
  body: string,
  status: IssueTable['status'],
  priority: IssueTable['priority'],
  assignee: string | null,
  labels: string[],
  relatedTo: string | null,
  createdAt: string,
): IssueTable => ({
  id,
  title,
  body,
  status,
  priority,
  assignee,
  labels: JSON.stringify(labels),
  related_to: relatedTo,
  created_at: createdAt,
  updated_at: createdAt,
});

export const DEMO_ISSUES: readonly IssueTable[] = [
  issue('ISS-101', 'Restock emerald drop pendants', 'PND-EMR-01 is out of stock; two customers asked this week.', 'open', 'medium', 'sam@store', ['inventory'], 'sku:PND-EMR-01', '2026-11-12T09:05:00.000Z'),
  issue('ISS-102', 'Cancelled watch order needs a follow-up call', 'Customer cancelled XYZ-793 after a delay; offer a discount on a re-order.', 'in_progress', 'low', 'dana@store', ['customer', 'follow-up'], 'order:XYZ-793', '2026-11-10T18:00:00.000Z'),
  issue('ISS-103', 'Ruby halo ring below reorder level', 'RNG-RUB-06 has 1 left (reorder level 2).', 'resolved', 'low', null, ['inventory'], 'sku:RNG-RUB-06', '2026-11-05T08:30:00.000Z'),
];

export const DEMO_EMAILS: readonly EmailTable[] = [
  {
    id: 'EM-0001',
    to_address: 'marcus.chen@example.com',
    subject: 'We received your order XYZ-790',
    body: 'Hi Marcus,\n\nThank you for your order XYZ-790. We will email you again when it ships.\n',
    kind: 'order-confirmation',
    order_id: 'XYZ-790',
    status: 'sent',
    delivery_note: null,
    idempotency_key: null,
    created_at: '2026-11-19T11:21:00.000Z',
    updated_at: '2026-11-19T11:21:00.000Z',
  },
  {
    id: 'EM-0002',
    to_address: 'priya.raman@example.com',
    subject: 'Your order XYZ-791 has shipped',
    body: 'Hi Priya,\n\nGood news — your order XYZ-791 has shipped with USPS (9400111202555842761234).\n',
    kind: 'shipping-confirmation',
    order_id: 'XYZ-791',
    status: 'sent',
    delivery_note: null,
    idempotency_key: null,
    created_at: '2026-11-04T13:05:00.000Z',
    updated_at: '2026-11-04T13:05:00.000Z',
  },
];
