import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { closest } from '../shared/text-search.js';

export interface OrderContact {
  readonly orderId: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly email: string;
}

/** CRM queries over the shared store. All lookups are parameterised. */
export class CustomerStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The customer who placed `orderId`, or undefined when there is no such order. */
  async contactForOrder(orderId: string): Promise<OrderContact | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .innerJoin('customers', 'customers.id', 'orders.customer_id')
      .select(['orders.id as orderId', 'customers.id as customerId', 'customers.name as customerName', 'customers.email'])
      .where('orders.id', '=', orderId)
      .executeTakeFirst();
    return row;
  }

  /** Order ids resembling `orderId` (nearest by edit distance among ids with the same prefix), for "did you mean" hints. */
  async similarOrderIds(orderId: string, limit = 3): Promise<string[]> {
    const prefix = (orderId.split('-')[0] ?? '').replace(/[%_\\]/g, '');
    const rows = await this.db.selectFrom('orders').select('id').where('id', 'like', `${prefix}%`).orderBy('id').limit(500).execute();
    const candidates = rows.length > 0 ? rows : await this.db.selectFrom('orders').select('id').orderBy('id').limit(500).execute();
    return closest(orderId, candidates.map((row) => row.id), limit);
  }
}
