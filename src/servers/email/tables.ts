/** @module The email server's own table, the outbox (created by `migrations.ts`). */
import type { CrmTables } from '../crm/tables.js';
import type { OrdersTables } from '../orders/tables.js';
import type { IdempotencyTables } from '../shared/tables.js';

export type EmailStatus = 'queued' | 'sent' | 'failed';

export interface EmailTable {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  /** What produced it: `shipping-confirmation`, `message`. */
  kind: string;
  order_id: string | null;
  status: EmailStatus;
  /** Why it was not delivered, when it was not. */
  delivery_note: string | null;
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
}

/** The tables the email server owns. */
export type EmailTables = {
  emails: EmailTable;
};

/** What the email server queries: the outbox, the orders and customers a confirmation is about, idempotency records. */
export type EmailDatabase = EmailTables & CrmTables & OrdersTables & IdempotencyTables;
