/** @module The email server's demo outbox: two emails already sent about demo orders. */
import type { Kysely } from 'kysely';
import type { EmailTable, EmailTables } from './tables.js';

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

/** Inserts the demo emails when email EM-0001 is missing; rows already there are kept. */
export async function seedEmail(db: Kysely<EmailTables>): Promise<void> {
  if (await db.selectFrom('emails').select('id').where('id', '=', 'EM-0001').executeTakeFirst()) return;
  await db.insertInto('emails').values([...DEMO_EMAILS]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
}
