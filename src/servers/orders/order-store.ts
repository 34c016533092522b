import type { Kysely, Selectable } from 'kysely';
import type { OrdersDatabase, OrderStatus, OrderTable } from './tables.js';
import { decodeCursor, toPage } from '../shared/pagination.js';
import { textParameter } from '../shared/text-parameter.js';
import { closest } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { centsToDollars } from './money.js';
import type { OrderDetail, OrderSummary } from './schemas.js';

/** An `orders` row as stored. */
export type OrderRow = Selectable<OrderTable>;

/** Filters of `list_orders`; instants are ISO strings already normalised to UTC (`toIsoInstant`). */
export interface OrderFilter {
  readonly customerId?: string;
  readonly status?: OrderStatus;
  /** Inclusive lower bound on `created_at`. */
  readonly createdAfter?: string;
  /** Exclusive upper bound on `created_at`. */
  readonly createdBefore?: string;
}

/** Candidate ids scanned for "did you mean" hints; plenty for a demo shop, bounded for a real one. */
const SUGGESTION_SCAN_LIMIT = 500;

/**
 * `2026-11-01` or `2026-11-01T12:00:00+02:00` → `2026-11-01T10:00:00.000Z`, the form `created_at` is stored
 * in, so plain string comparison orders instants correctly on SQLite and PostgreSQL alike.
 */
export function toIsoInstant(value: string): string {
  return new Date(value).toISOString();
}

/**
 * Read side of orders over the shared store. Takes a `Kysely` or a `Transaction`, so the actions read
 * inside their own transaction. Every value is bound as a parameter.
 */
export class OrderStore {
  constructor(private readonly db: Kysely<OrdersDatabase>) {}

  /** The order row; throws a `ToolFailure` naming similar ids when there is none. */
  async require(orderId: string): Promise<OrderRow> {
    const row = await this.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
    if (row) return row;
    const similar = await this.similarIds(orderId);
    throw new ToolFailure(
      `No order ${orderId}.${similar.length ? ` Did you mean ${similar.join(', ')}?` : ''} Check the order id and try again.`,
    );
  }

  /** The order with its customer, lines and payments; throws a `ToolFailure` when there is no such order. */
  async detail(orderId: string): Promise<OrderDetail> {
    return this.#detailOf(await this.require(orderId));
  }

  /** The order as {@link detail} gives it (`get_order`'s shape), or undefined when there is no such order. */
  async find(orderId: string): Promise<OrderDetail | undefined> {
    const row = await this.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
    return row ? this.#detailOf(row) : undefined;
  }

  async #detailOf(order: OrderRow): Promise<OrderDetail> {
    const orderId = order.id;
    const [customer, lines, payments] = await Promise.all([
      this.db
        .selectFrom('customers')
        .select(['id', 'name', 'email'])
        .where('id', '=', order.customer_id)
        .executeTakeFirstOrThrow(),
      this.db.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('line_no').execute(),
      this.db
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    ]);
    const refundable = order.paid_cents - order.refunded_cents;
    return {
      order_id: order.id,
      status: order.status,
      customer,
      lines: lines.map((line) => ({
        line_no: line.line_no,
        sku: line.sku,
        name: line.name,
        quantity: line.quantity,
        unit_price_cents: line.unit_price_cents,
        line_total_cents: line.quantity * line.unit_price_cents,
      })),
      total_cents: order.total_cents,
      total: centsToDollars(order.total_cents),
      payments: {
        paid_cents: order.paid_cents,
        paid: centsToDollars(order.paid_cents),
        refunded_cents: order.refunded_cents,
        refunded: centsToDollars(order.refunded_cents),
        refundable_cents: refundable,
        refundable: centsToDollars(refundable),
        transactions: payments.map((payment) => ({
          payment_id: payment.id,
          kind: payment.kind,
          amount_cents: payment.amount_cents,
          reason: payment.reason,
          created_at: payment.created_at,
        })),
      },
      carrier: order.carrier,
      tracking_number: order.tracking_number,
      created_at: order.created_at,
      updated_at: order.updated_at,
      shipped_at: order.shipped_at,
      cancelled_at: order.cancelled_at,
    };
  }

  /**
   * One page of orders matching `filter`, ordered by id (keyset pagination, so pages stay stable while
   * orders are added or change status). Throws a `ToolFailure` for a bad cursor or an unknown customer.
   */
  async list(
    filter: OrderFilter,
    page: { cursor?: string; limit: number },
  ): Promise<{ orders: OrderSummary[]; next_cursor: string | null }> {
    const after = decodeCursor(page.cursor);
    let query = this.db
      .selectFrom('orders')
      .innerJoin('customers', 'customers.id', 'orders.customer_id')
      .select([
        'orders.id',
        'orders.status',
        'orders.customer_id',
        'customers.name',
        'orders.total_cents',
        'orders.created_at',
        'orders.shipped_at',
      ])
      .orderBy('orders.id')
      .limit(page.limit + 1);
    if (after !== undefined) query = query.where('orders.id', '>', after);
    // Equalities in this join bind through textParameter, or SQLite would plan it anew on every call.
    if (filter.customerId !== undefined) query = query.where('orders.customer_id', '=', textParameter(filter.customerId));
    if (filter.status !== undefined) query = query.where('orders.status', '=', textParameter(filter.status));
    if (filter.createdAfter !== undefined) query = query.where('orders.created_at', '>=', filter.createdAfter);
    if (filter.createdBefore !== undefined) query = query.where('orders.created_at', '<', filter.createdBefore);
    const rows = await query.execute();
    if (rows.length === 0 && filter.customerId !== undefined && after === undefined)
      await this.requireCustomer(filter.customerId);

    const { items, next_cursor } = toPage(rows, page.limit, (row) => row.id);
    const units = await this.unitsByOrder(items.map((row) => row.id));
    return {
      orders: items.map((row) => ({
        order_id: row.id,
        status: row.status,
        customer_id: row.customer_id,
        customer_name: row.name,
        item_count: units.get(row.id) ?? 0,
        total_cents: row.total_cents,
        total: centsToDollars(row.total_cents),
        created_at: row.created_at,
        shipped_at: row.shipped_at,
      })),
      next_cursor,
    };
  }

  /** Order ids resembling `orderId`: nearest by edit distance among ids with the same prefix (`XYZ-`), else all. */
  async similarIds(orderId: string, count = 3): Promise<string[]> {
    const prefix = orderId.split('-')[0] ?? '';
    // The prefix is bound as a parameter; its LIKE wildcards are dropped so it matches literally.
    const pattern = `${prefix.replace(/[%_\\]/g, '')}-%`;
    const sameFamily = await this.db
      .selectFrom('orders')
      .select('id')
      .where('id', 'like', pattern)
      .orderBy('id')
      .limit(SUGGESTION_SCAN_LIMIT)
      .execute();
    const candidates =
      sameFamily.length > 0
        ? sameFamily
        : await this.db.selectFrom('orders').select('id').orderBy('id').limit(SUGGESTION_SCAN_LIMIT).execute();
    return closest(
      orderId,
      candidates.map((row) => row.id),
      count,
    );
  }

  private async requireCustomer(customerId: string): Promise<void> {
    const found = await this.db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
    if (found) return;
    const ids = await this.db.selectFrom('customers').select('id').orderBy('id').limit(SUGGESTION_SCAN_LIMIT).execute();
    const similar = closest(
      customerId,
      ids.map((row) => row.id),
    );
    throw new ToolFailure(`No customer ${customerId}.${similar.length ? ` Did you mean ${similar.join(', ')}?` : ''}`);
  }

  private async unitsByOrder(orderIds: readonly string[]): Promise<Map<string, number>> {
    if (orderIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('order_lines')
      .select(({ fn }) => ['order_id', fn.sum<number | string>('quantity').as('units')])
      .where('order_id', 'in', orderIds)
      .groupBy('order_id')
      .execute();
    // PostgreSQL returns sum() of integers as a bigint string; SQLite as a number.
    return new Map(rows.map((row) => [row.order_id, Number(row.units)]));
  }
}
