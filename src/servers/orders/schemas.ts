/**
 * Input fields and structured results of the orders server's tools. Money is integer cents (exact) plus a
 * decimal-dollar string such as `"745.00"`, the same unit `refund_order` takes, so a model never has to
 * divide by 100 to call the next tool.
 * @module
 */
import { z } from 'zod';
import type { OrderStatus } from './tables.js';
import { dollarsToCents } from './money.js';

/** Every order status, in lifecycle order. */
export const ORDER_STATUSES = [
  'pending',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
] as const satisfies readonly OrderStatus[];

/** Largest amount a single refund may name, in dollars: far above any order here, small enough to stay exact in cents. */
export const MAX_AMOUNT_DOLLARS = 1_000_000;

/** Largest quantity `check_stock` and `adjust_inventory` accept in one call. */
export const MAX_QUANTITY = 1_000_000;

/** An order id argument; handlers upper-case it. */
export const OrderIdSchema = z.string().trim().min(1).max(64).describe('Order id, e.g. XYZ-789 (case-insensitive)');
/** A SKU argument; handlers upper-case it. */
export const SkuSchema = z.string().trim().min(1).max(64).describe('Inventory SKU, e.g. RNG-14K-07 (case-insensitive)');
/** A customer id argument; handlers upper-case it. */
export const CustomerIdSchema = z.string().trim().min(1).max(64).describe('Customer id, e.g. C-1001');
/** Free-text reason stored with refunds and stock movements; each tool adds its own description. */
export const ReasonSchema = z.string().trim().min(1).max(500);

// A zone is required with a time: a bare local time would mean different instants on different machines.
const ISO_INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO date (`2026-11-01`, midnight UTC) or date-time with zone (`2026-11-01T12:00:00Z`). */
export const InstantSchema = z
  .string()
  .trim()
  .max(40)
  .regex(ISO_INSTANT_PATTERN, 'expected an ISO date like 2026-11-01 or a date-time with zone like 2026-11-01T12:00:00Z')
  .refine((value) => Number.isFinite(Date.parse(value)), 'not a real calendar date');

/** A refund amount in decimal dollars with at most two decimals, e.g. 25.5 for $25.50. */
export const DollarAmountSchema = z
  .number()
  .positive()
  .max(MAX_AMOUNT_DOLLARS)
  .refine(
    (value) => dollarsToCents(value) !== undefined,
    'amount must have at most 2 decimal places (whole cents), e.g. 25.50',
  );

/** One line of an order; `line_total_cents` is quantity × unit price. */
export const OrderLineSchema = z.object({
  line_no: z.number().int(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unit_price_cents: z.number().int(),
  line_total_cents: z.number().int(),
});

/** One charge or refund row of an order. */
export const PaymentSchema = z.object({
  payment_id: z.string(),
  kind: z.enum(['charge', 'refund']),
  amount_cents: z.number().int(),
  reason: z.string().nullable(),
  created_at: z.string(),
});

/** What was paid, refunded and is still refundable, with every transaction. */
export const PaymentSummarySchema = z.object({
  paid_cents: z.number().int().describe('Amount charged, in cents'),
  paid: z.string().describe('Amount charged, in dollars, e.g. "745.00"'),
  refunded_cents: z.number().int().describe('Amount refunded so far, in cents'),
  refunded: z.string().describe('Amount refunded so far, in dollars'),
  refundable_cents: z.number().int().describe('Paid minus refunded, in cents'),
  refundable: z.string().describe('Paid minus refunded, in dollars: the most refund_order accepts'),
  transactions: z.array(PaymentSchema).describe('Charges and refunds, oldest first'),
});

/** `get_order`'s result, and the `order` of every order action's result. */
export const OrderDetailSchema = z.object({
  order_id: z.string(),
  status: z.enum(ORDER_STATUSES),
  customer: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  lines: z.array(OrderLineSchema),
  total_cents: z.number().int(),
  total: z.string(),
  payments: PaymentSummarySchema,
  carrier: z.string().nullable(),
  tracking_number: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  shipped_at: z.string().nullable(),
  cancelled_at: z.string().nullable(),
});
export type OrderDetail = z.infer<typeof OrderDetailSchema>;

/** One row of `list_orders`. */
export const OrderSummarySchema = z.object({
  order_id: z.string(),
  status: z.enum(ORDER_STATUSES),
  customer_id: z.string(),
  customer_name: z.string(),
  item_count: z.number().int().describe('Units across all lines'),
  total_cents: z.number().int(),
  total: z.string(),
  created_at: z.string(),
  shipped_at: z.string().nullable(),
});
export type OrderSummary = z.infer<typeof OrderSummarySchema>;

/** One SKU with its stock and flags: `get_inventory_item`, `list_inventory`, `adjust_inventory`. */
export const InventoryItemSchema = z.object({
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  price_cents: z.number().int(),
  price: z.string(),
  stock: z.number().int(),
  reorder_level: z.number().int(),
  low_stock: z.boolean().describe('True when stock is at or below the reorder level'),
  out_of_stock: z.boolean(),
  updated_at: z.string(),
});
export type InventoryItem = z.infer<typeof InventoryItemSchema>;

/** The `replayed` flag of every side-effecting tool's result. */
export const ReplayedSchema = z
  .boolean()
  .describe('True when this is the recorded result of an earlier call with the same idempotency_key');

/** The refund payment an action created. */
export const RefundSchema = z.object({
  payment_id: z.string(),
  amount_cents: z.number().int(),
  amount: z.string().describe('In dollars, e.g. "25.50"'),
  reason: z.string(),
});
export type Refund = z.infer<typeof RefundSchema>;

/** `mark_shipped`'s result. */
export const ShipResultSchema = z.object({
  order: OrderDetailSchema,
  already_shipped: z
    .boolean()
    .describe('True when the order had already shipped with this carrier and tracking number: nothing changed'),
  replayed: ReplayedSchema,
});

/** `cancel_order`'s result: the cancelled order, its refund (if anything was paid) and the restocked lines. */
export const CancelResultSchema = z.object({
  order: OrderDetailSchema,
  refund: RefundSchema.nullable().describe('The refund of what had been paid; null when nothing was paid'),
  restocked: z.array(z.object({ sku: z.string(), quantity: z.number().int(), stock_after: z.number().int() })),
  replayed: ReplayedSchema,
});

/** `refund_order`'s result. */
export const RefundResultSchema = z.object({
  order: OrderDetailSchema,
  refund: RefundSchema,
  replayed: ReplayedSchema,
});

/** `adjust_inventory`'s result: the item after the change and the movement recorded. */
export const AdjustResultSchema = z.object({
  item: InventoryItemSchema,
  delta: z.number().int(),
  stock_before: z.number().int(),
  stock_after: z.number().int(),
  movement_id: z.string(),
  replayed: ReplayedSchema,
});
