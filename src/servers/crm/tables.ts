/**
 * @module The crm server's own table (created by `migrations.ts`, in the database it shares with the host and
 * the other built-in servers). Times are ISO-8601 UTC strings.
 */
import type { OrdersTables } from '../orders/tables.js';
import type { IdempotencyTables } from '../shared/tables.js';

export type CustomerTier = 'standard' | 'vip';

export interface CustomerTable {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  city: string | null;
  tier: CustomerTier;
  created_at: string;
  updated_at: string;
}

/** The tables the crm server owns. */
export type CrmTables = {
  customers: CustomerTable;
};

/** What the crm server queries: its own table, the orders it lists for a customer, and idempotency records. */
export type CrmDatabase = CrmTables & OrdersTables & IdempotencyTables;
