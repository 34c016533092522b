import type { ColumnType, Generated } from 'kysely';

/**
 * Table types of the Deckhand store. Timestamps are ISO-8601 strings and money is integer cents, so the
 * same code runs on SQLite and PostgreSQL without float or timezone surprises.
 */
export interface Database {
  customers: CustomerTable;
  inventory_items: InventoryItemTable;
  inventory_movements: InventoryMovementTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  payments: PaymentTable;
  notes: NoteTable;
  emails: EmailTable;
  issues: IssueTable;
  issue_comments: IssueCommentTable;
  idempotency_keys: IdempotencyKeyTable;
  sessions: SessionTable;
  runs: RunTable;
  run_events: RunEventTable;
}

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

export interface InventoryItemTable {
  sku: string;
  name: string;
  category: string;
  price_cents: number;
  stock: number;
  /** At or below this, the item counts as low stock. */
  reorder_level: number;
  updated_at: string;
}

export interface InventoryMovementTable {
  id: string;
  sku: string;
  delta: number;
  reason: string;
  created_at: string;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface OrderTable {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: number;
  paid_cents: number;
  refunded_cents: number;
  carrier: string | null;
  tracking_number: string | null;
  created_at: string;
  updated_at: string;
  shipped_at: string | null;
  cancelled_at: string | null;
}

export interface OrderLineTable {
  order_id: string;
  line_no: number;
  sku: string;
  name: string;
  quantity: number;
  unit_price_cents: number;
}

export type PaymentKind = 'charge' | 'refund';

export interface PaymentTable {
  id: string;
  order_id: string;
  kind: PaymentKind;
  amount_cents: number;
  reason: string | null;
  created_at: string;
}

export type NoteEntityType = 'customer' | 'order' | 'issue' | 'sku';

export interface NoteTable {
  id: string;
  entity_type: NoteEntityType;
  entity_id: string;
  text: string;
  author: string;
  created_at: string;
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
  updated_at: string;
}

export type IssueStatus = 'open' | 'in_progress' | 'resolved' | 'closed';
export type IssuePriority = 'low' | 'medium' | 'high' | 'urgent';

export interface IssueTable {
  id: string;
  title: string;
  body: string;
  status: IssueStatus;
  priority: IssuePriority;
  assignee: string | null;
  /** JSON array of label strings. */
  labels: string;
  /** What it is about, e.g. `order:XYZ-789` or `customer:C-1001`. */
  related_to: string | null;
  created_at: string;
  updated_at: string;
}

export interface IssueCommentTable {
  id: string;
  issue_id: string;
  author: string;
  text: string;
  created_at: string;
}

/** The first result of every side effect done under an idempotency key, replayed for repeats. */
export interface IdempotencyKeyTable {
  key: string;
  tool: string;
  result: string;
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
