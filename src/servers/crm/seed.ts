/**
 * @module The crm server's demo customers. Ids are stable so the README's examples work: order XYZ-789 belongs
 * to Lisa Park (C-1001); there is also a Lisa Parker, so searches must be exact enough.
 */
import type { Kysely } from 'kysely';
import type { CrmTables, CustomerTable } from './tables.js';

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

/** Inserts the demo customers when Lisa Park (C-1001) is missing; rows already there are kept. */
export async function seedCrm(db: Kysely<CrmTables>): Promise<void> {
  if (await db.selectFrom('customers').select('id').where('id', '=', 'C-1001').executeTakeFirst()) return;
  await db.insertInto('customers').values([...DEMO_CUSTOMERS]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
}
