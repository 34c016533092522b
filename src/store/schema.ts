import type { ColumnType, Generated } from 'kysely';

/** Table types of the Deckhand store. Timestamps are ISO-8601 strings (portable across SQLite and PostgreSQL). */
export interface Database {
  customers: CustomerTable;
  orders: OrderTable;
  emails: EmailTable;
  sessions: SessionTable;
  runs: RunTable;
  run_events: RunEventTable;
}

export interface CustomerTable {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  created_at: string;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface OrderTable {
  id: string;
  customer_id: string;
  status: OrderStatus;
  /** JSON array of `{ sku, name, quantity, unit_price_cents }`. */
  items: string;
  total_cents: number;
  carrier: string | null;
  tracking_number: string | null;
  created_at: string;
  shipped_at: string | null;
}

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
}

export interface SessionTable {
  id: string;
  title: string | null;
  created_at: string;
}

export interface RunTable {
  id: string;
  session_id: string;
  task: string;
  model: string;
  /** `running` until the run ends, then its outcome. */
  status: string;
  started_at: string;
  ended_at: string | null;
  steps: Generated<number>;
  tool_calls: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_usd: Generated<number>;
  final_text: string | null;
  error: string | null;
}

export interface RunEventTable {
  id: Generated<number>;
  run_id: string;
  seq: number;
  type: string;
  at: ColumnType<number, number, never>;
  /** The whole event as JSON. */
  data: string;
}
