/**
 * @module The orders server's own tables (created by `migrations.ts`): orders with their lines and payments,
 * and the inventory with its movements. Money is integer cents, times ISO-8601 UTC strings.
 */
import type { CrmTables } from '../crm/tables.js';
import type { IdempotencyTables } from '../shared/tables.js';

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

/** The tables the orders server owns. */
export type OrdersTables = {
  inventory_items: InventoryItemTable;
  inventory_movements: InventoryMovementTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  payments: PaymentTable;
};

/** What the orders server queries: its own tables, the customers orders belong to, and idempotency records. */
export type OrdersDatabase = OrdersTables & CrmTables & IdempotencyTables;
