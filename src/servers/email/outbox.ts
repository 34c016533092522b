import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, EmailTable } from '../../store/schema.js';

export type Email = Selectable<EmailTable>;

export interface NewEmail {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly kind: string;
  readonly orderId: string | null;
  readonly idempotencyKey?: string;
}

/** NOT_DELIVERED_NOTE is stored on emails that stay in the outbox because no SMTP server is configured. */
export const NOT_DELIVERED_NOTE = 'not delivered: no SMTP server is configured (SMTP_URL is not set)';

/** The email outbox: every email the agent sends is stored here first. */
export class Outbox {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores an email. With an idempotency key already used, returns the first email instead of a second one,
   * so a retried call never sends twice.
   */
  async enqueue(email: NewEmail): Promise<{ email: Email; duplicate: boolean }> {
    if (email.idempotencyKey) {
      const existing = await this.byIdempotencyKey(email.idempotencyKey);
      if (existing) return { email: existing, duplicate: true };
    }
    const row: Email = {
      id: `EM-${randomUUID().slice(0, 8)}`,
      to_address: email.to,
      subject: email.subject,
      body: email.body,
      kind: email.kind,
      order_id: email.orderId,
      status: 'queued',
      delivery_note: NOT_DELIVERED_NOTE,
      idempotency_key: email.idempotencyKey ?? null,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
    const inserted = await this.db
      .insertInto('emails')
      .values(row)
      .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 0n && email.idempotencyKey) {
      // Another call with the same key won the race between our check and our insert.
      const winner = await this.byIdempotencyKey(email.idempotencyKey);
      if (winner) return { email: winner, duplicate: true };
    }
    return { email: row, duplicate: false };
  }

  private byIdempotencyKey(key: string): Promise<Email | undefined> {
    return this.db.selectFrom('emails').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  }
}
