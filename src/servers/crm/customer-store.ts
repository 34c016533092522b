import { type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { CrmDatabase, CustomerTable, CustomerTier } from './tables.js';
import { formatCents } from '../shared/ids.js';
import { decodeCursor, toPage } from '../shared/pagination.js';
import { preparedQuery } from '../shared/prepared-query.js';
import { textParameter } from '../shared/text-parameter.js';
import { closest, containsInsensitive, editDistance } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';
import type { CustomerProfile, CustomerSummary } from './schemas.js';

/** Who placed an order, as `getCustomerEmail` returns it. */
export interface OrderContact {
  readonly orderId: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly email: string;
}

/** A customer row as stored. */
export type CustomerRow = Selectable<CustomerTable>;

/** A page of customers in id order. */
export interface CustomerPage {
  readonly customers: CustomerSummary[];
  readonly next_cursor: string | null;
}

/** Filters of `list_customers`. */
export interface CustomerFilter {
  readonly tier?: CustomerTier | undefined;
  /** Matched whole and case-insensitively. */
  readonly city?: string | undefined;
}

/** Paging arguments as the tools receive them. */
export interface PageRequest {
  readonly cursor?: string | undefined;
  readonly limit: number;
}

/** Candidate ids scanned for "did you mean" hints: all of a demo shop, bounded for a real one. */
const SUGGESTION_SCAN_LIMIT = 1_000;
const SUMMARY_COLUMNS = ['id', 'name', 'email', 'phone', 'city', 'tier'] as const;

type CustomerCondition = (eb: ExpressionBuilder<CrmDatabase, 'customers'>) => Expression<SqlBool>;

/** The fields the list tools show, in a fixed order. */
export function toSummary(row: CustomerRow): CustomerSummary {
  return { id: row.id, name: row.name, email: row.email, phone: row.phone, city: row.city, tier: row.tier };
}
/** Separators people write inside phone numbers; stripped on both sides for digit-only matching. */
const PHONE_SEPARATORS = ['-', ' ', '+', '(', ')', '.'];

/**
 * Up to `count` customer ids closest to `id`: fewest edits first, then numerically nearest, so `C-1013` suggests
 * `C-1012` before `C-1003`.
 */
export function nearestCustomerIds(id: string, candidates: readonly string[], count = 3): string[] {
  const number = Number(id.replace(/\D/g, ''));
  return candidates
    .map((candidate) => ({
      candidate,
      edits: editDistance(id, candidate),
      gap: Math.abs(Number(candidate.replace(/\D/g, '')) - number),
    }))
    .sort(
      (left, right) =>
        left.edits - right.edits || left.gap - right.gap || left.candidate.localeCompare(right.candidate),
    )
    .slice(0, count)
    .map((entry) => entry.candidate);
}

/** `phone` with its separators removed, in SQL that runs the same on SQLite and PostgreSQL. */
function phoneDigits(): Expression<string> {
  return PHONE_SEPARATORS.reduce<Expression<string>>(
    (expression, separator) => sql<string>`replace(${expression}, ${separator}, '')`,
    sql.ref('phone'),
  );
}

/**
 * CRM queries over the shared store. Takes a `Kysely` or a `Transaction`, so an update reads and writes in
 * one transaction. Every value is bound as a parameter; search terms never act as LIKE patterns.
 */
export class CustomerStore {
  /** `getCustomerEmail`'s lookup, compiled on first use and then reused: the most used read tool runs it on every call. */
  private contactQuery: ((orderId: string) => Promise<OrderContact[]>) | undefined;

  constructor(private readonly db: Kysely<CrmDatabase>) {}

  /** The customer who placed `orderId`, or undefined when there is no such order. */
  async contactForOrder(orderId: string): Promise<OrderContact | undefined> {
    this.contactQuery ??= preparedQuery(this.db, 1, (db, id) =>
      db
        .selectFrom('orders')
        .innerJoin('customers', 'customers.id', 'orders.customer_id')
        .select(['orders.id as orderId', 'customers.id as customerId', 'customers.name as customerName', 'customers.email'])
        // A bare `?` here would make SQLite plan this join anew on every call (text-parameter.ts).
        .where('orders.id', '=', textParameter(id!)),
    );
    const [row] = await this.contactQuery(orderId);
    return row;
  }

  /** Order ids resembling `orderId` (nearest by edit distance among ids with the same prefix), for "did you mean" hints. */
  async similarOrderIds(orderId: string, limit = 3): Promise<string[]> {
    const prefix = (orderId.split('-')[0] ?? '').replace(/[%_\\]/g, '');
    const rows = await this.db
      .selectFrom('orders')
      .select('id')
      .where('id', 'like', `${prefix}%`)
      .orderBy('id')
      .limit(500)
      .execute();
    const candidates =
      rows.length > 0 ? rows : await this.db.selectFrom('orders').select('id').orderBy('id').limit(500).execute();
    return closest(
      orderId,
      candidates.map((row) => row.id),
      limit,
    );
  }

  /**
   * The customer `id` (already normalised), or a `ToolFailure` that suggests the closest ids with their
   * names, and points at `search_customers` when the input looks like a name, email or phone instead.
   */
  async require(id: string): Promise<CustomerRow> {
    const row = await this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    if (row) return row;
    if (!/^C-\d+$/.test(id)) {
      throw new ToolFailure(
        `No customer with id "${id}": customer ids look like C-1001. To find a customer by name, email or phone, use search_customers.`,
      );
    }
    const candidates = await this.db
      .selectFrom('customers')
      .select(['id', 'name'])
      .orderBy('id')
      .limit(SUGGESTION_SCAN_LIMIT)
      .execute();
    const names = new Map(candidates.map((candidate) => [candidate.id, candidate.name]));
    const similar = nearestCustomerIds(id, [...names.keys()]).map(
      (candidate) => `${candidate} (${names.get(candidate)})`,
    );
    throw new ToolFailure(
      `No customer ${id}.${similar.length > 0 ? ` Did you mean ${similar.join(', ')}?` : ''} ` +
        'To find a customer by name, email or phone, use search_customers.',
    );
  }

  /** The customer with their order count and lifetime value (paid minus refunded); throws like `require`. */
  async profile(id: string): Promise<CustomerProfile> {
    const customer = await this.require(id);
    const totals = await this.db
      .selectFrom('orders')
      .select((eb) => [
        eb.fn.countAll().as('order_count'),
        eb.fn
          .coalesce(eb.fn.sum<number | string>(sql<number>`paid_cents - refunded_cents`), sql<number>`0`)
          .as('net_cents'),
      ])
      .where('customer_id', '=', id)
      .executeTakeFirstOrThrow();
    // PostgreSQL returns count and sum as strings (bigint/numeric); SQLite as numbers.
    const lifetimeValueCents = Number(totals.net_cents);
    return {
      ...toSummary(customer),
      created_at: customer.created_at,
      updated_at: customer.updated_at,
      order_count: Number(totals.order_count),
      lifetime_value_cents: lifetimeValueCents,
      lifetime_value: formatCents(lifetimeValueCents),
    };
  }

  /**
   * One page of customers in id order, optionally of one tier or city. Keyset-paginated on the id, so walking
   * the pages never repeats or skips a customer.
   *
   * @throws ToolFailure when the cursor is malformed.
   */
  async list(filter: CustomerFilter, page: PageRequest): Promise<CustomerPage> {
    return this.page(page, (eb) => {
      const conditions: Expression<SqlBool>[] = [];
      if (filter.tier) conditions.push(eb('tier', '=', filter.tier));
      if (filter.city) conditions.push(eb(eb.fn('lower', ['city']), '=', filter.city.toLowerCase()));
      return eb.and(conditions);
    });
  }

  /**
   * Customers whose name, email or phone contains `query`, case-insensitively, in id order. A query that is
   * only phone characters also matches phones digit for digit (`4155550101` finds `+1-415-555-0101`).
   *
   * @throws ToolFailure when the cursor is malformed.
   */
  async search(query: string, page: PageRequest): Promise<CustomerPage> {
    const digits = /^[0-9 ()+.-]+$/.test(query) ? query.replace(/\D/g, '') : '';
    return this.page(page, (eb) => {
      const matches = [
        containsInsensitive(eb.ref('name'), query),
        containsInsensitive(eb.ref('email'), query),
        containsInsensitive(eb.ref('phone'), query),
      ];
      if (digits.length >= 3) matches.push(containsInsensitive(phoneDigits(), digits));
      return eb.or(matches);
    });
  }

  /** Another customer already using `email` (case-insensitively), if any. */
  async ownerOfEmail(email: string, exceptId: string): Promise<CustomerSummary | undefined> {
    return this.db
      .selectFrom('customers')
      .select(SUMMARY_COLUMNS)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .where('id', '<>', exceptId)
      .orderBy('id')
      .executeTakeFirst();
  }

  private async page(page: PageRequest, where: CustomerCondition): Promise<CustomerPage> {
    const after = decodeCursor(page.cursor);
    let query = this.db.selectFrom('customers').select(SUMMARY_COLUMNS).where(where);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
    const { items, next_cursor } = toPage(rows, page.limit, (row) => row.id);
    return { customers: items, next_cursor };
  }
}
