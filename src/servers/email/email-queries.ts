import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { EmailDatabase, EmailStatus } from './tables.js';
import { decodeCursor, toPage } from '../shared/pagination.js';
import { closest, containsInsensitive } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';
import type { Email } from './outbox.js';
import type { EmailSummary } from './schemas.js';

/** Filters of `list_emails`. */
export interface EmailFilter {
  readonly status?: EmailStatus | undefined;
  /** Recipient address, matched whole and case-insensitively. */
  readonly to?: string | undefined;
  /** Already upper-cased. */
  readonly orderId?: string | undefined;
}

/** Paging arguments as the tools receive them. */
export interface PageRequest {
  readonly cursor?: string | undefined;
  readonly limit: number;
}

/** A page of emails, newest first. */
export interface EmailPage {
  readonly emails: EmailSummary[];
  readonly next_cursor: string | null;
}

/** Characters of the body shown in a list. */
const PREVIEW_LENGTH = 120;
/** Candidates scanned for "did you mean" hints. */
const SUGGESTION_SCAN_LIMIT = 1_000;

type EmailCondition = (eb: ExpressionBuilder<EmailDatabase, 'emails'>) => Expression<SqlBool>;

/** The list form of an email: everything but the body, which is cut to a one-line preview. */
export function toSummary(email: Email): EmailSummary {
  const preview = email.body.replace(/\s+/g, ' ').trim();
  return {
    id: email.id,
    to: email.to_address,
    subject: email.subject,
    status: email.status,
    kind: email.kind,
    order_id: email.order_id,
    delivery_note: email.delivery_note,
    created_at: email.created_at,
    preview: preview.length > PREVIEW_LENGTH ? `${preview.slice(0, PREVIEW_LENGTH - 1)}…` : preview,
  };
}

/** The keyset position of an email in newest-first order: `(created_at, id)`, both descending. */
function parsePosition(cursor: string | undefined): [createdAt: string, id: string] | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  try {
    const value = JSON.parse(key) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new ToolFailure(
    'The cursor is not an email cursor; pass the `next_cursor` of the previous page exactly, or omit it.',
  );
}

/** Read side of the outbox. Every value is bound as a parameter; search terms never act as LIKE patterns. */
export class EmailQueries {
  constructor(private readonly db: Kysely<EmailDatabase>) {}

  /**
   * One page of emails, newest first, optionally filtered. The order, `(created_at, id)` descending, is stable,
   * so walking the pages never repeats or skips an email.
   *
   * @throws ToolFailure when the cursor is malformed or `orderId` names no order (with the closest ids).
   */
  async list(filter: EmailFilter, page: PageRequest): Promise<EmailPage> {
    if (filter.orderId !== undefined) await this.requireOrder(filter.orderId);
    return this.page(page, (eb) => {
      const conditions: Expression<SqlBool>[] = [];
      if (filter.status) conditions.push(eb('status', '=', filter.status));
      if (filter.to) conditions.push(eb(eb.fn('lower', ['to_address']), '=', filter.to.toLowerCase()));
      if (filter.orderId) conditions.push(eb('order_id', '=', filter.orderId));
      return eb.and(conditions);
    });
  }

  /** Emails whose subject, body or recipient contains `query`, case-insensitively, newest first. */
  async search(query: string, page: PageRequest): Promise<EmailPage> {
    return this.page(page, (eb) =>
      eb.or([
        containsInsensitive(eb.ref('subject'), query),
        containsInsensitive(eb.ref('body'), query),
        containsInsensitive(eb.ref('to_address'), query),
      ]),
    );
  }

  /**
   * Known addresses closest to `address` (recipients of stored emails and customers' emails), for "did you
   * mean" hints; empty when `address` itself is known.
   */
  async similarAddresses(address: string, count = 3): Promise<string[]> {
    const [recipients, customers] = await Promise.all([
      this.db.selectFrom('emails').select('to_address as address').distinct().limit(SUGGESTION_SCAN_LIMIT).execute(),
      this.db.selectFrom('customers').select('email as address').limit(SUGGESTION_SCAN_LIMIT).execute(),
    ]);
    const known = new Set([...recipients, ...customers].map((row) => row.address.toLowerCase()));
    if (known.has(address.toLowerCase())) return [];
    return closest(address.toLowerCase(), [...known], count);
  }

  private async requireOrder(orderId: string): Promise<void> {
    const order = await this.db.selectFrom('orders').select('id').where('id', '=', orderId).executeTakeFirst();
    if (order) return;
    const prefix = (orderId.split('-')[0] ?? '').replace(/[%_\\]/g, '');
    const rows = await this.db
      .selectFrom('orders')
      .select('id')
      .where('id', 'like', `${prefix}%`)
      .limit(SUGGESTION_SCAN_LIMIT)
      .execute();
    const similar = closest(
      orderId,
      rows.map((row) => row.id),
    );
    throw new ToolFailure(
      `No order ${orderId}.${similar.length > 0 ? ` Did you mean ${similar.join(', ')}?` : ''} Check the order id.`,
    );
  }

  private async page(page: PageRequest, where: EmailCondition): Promise<EmailPage> {
    const after = parsePosition(page.cursor);
    let query = this.db.selectFrom('emails').selectAll().where(where);
    if (after) {
      const [createdAt, id] = after;
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const { items, next_cursor } = toPage(rows, page.limit, (row) => JSON.stringify([row.created_at, row.id]));
    return { emails: items.map(toSummary), next_cursor };
  }
}
