import type { Kysely, Selectable } from 'kysely';
import type { EmailDatabase, EmailTable } from './tables.js';
import { newId, nowIso } from '../shared/ids.js';
import { closest } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';

/** An email row as stored. */
export type Email = Selectable<EmailTable>;

/** An email to store in the outbox. */
export interface NewEmail {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** What produced it: `shipping-confirmation`, `message`. */
  readonly kind: string;
  readonly orderId: string | null;
  readonly idempotencyKey?: string | undefined;
}

/** NOT_DELIVERED_NOTE is stored on emails that stay in the outbox because no SMTP server is configured. */
export const NOT_DELIVERED_NOTE = 'not delivered: no SMTP server is configured (SMTP_URL is not set)';
/**
 * Stored while an email waits for its SMTP delivery. An email still carrying it later was being delivered
 * when the server stopped: it may or may not have arrived.
 */
export const SMTP_PENDING_NOTE = 'queued: SMTP delivery started and has not finished';
/** Prefix of the note on an email whose SMTP delivery failed; the SMTP error follows. */
export const SMTP_FAILED_PREFIX = 'SMTP delivery failed: ';

/** Candidate ids scanned for "did you mean" hints. */
const SUGGESTION_SCAN_LIMIT = 1_000;

/**
 * The email outbox: every email the agent sends is stored here first, as `queued`, and then marked `sent` or
 * `failed` once an SMTP server has answered. Takes a `Kysely` or a `Transaction`, so an email can be stored
 * in the same transaction as its idempotency record.
 */
export class Outbox {
  constructor(private readonly db: Kysely<EmailDatabase>) {}

  /** Stores `email` as `queued` with `note` saying why it is not delivered yet; returns the stored row. */
  async insert(email: NewEmail, note: string): Promise<Email> {
    const now = nowIso();
    const row: Email = {
      id: newId('EM'),
      to_address: email.to,
      subject: email.subject,
      body: email.body,
      kind: email.kind,
      order_id: email.orderId,
      status: 'queued',
      delivery_note: note,
      idempotency_key: email.idempotencyKey ?? null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('emails').values(row).execute();
    return row;
  }

  /** Records that the SMTP server accepted the email. */
  async markSent(id: string): Promise<void> {
    await this.db
      .updateTable('emails')
      .set({ status: 'sent', delivery_note: null, updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
  }

  /** Records that delivery failed, with the SMTP error. */
  async markFailed(id: string, error: string): Promise<void> {
    await this.db
      .updateTable('emails')
      .set({ status: 'failed', delivery_note: `${SMTP_FAILED_PREFIX}${error}`, updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * The email `id` (matched case-insensitively on its `EM-` prefix).
   *
   * @throws ToolFailure naming the closest email ids when there is none.
   */
  async require(id: string): Promise<Email> {
    const normalised = id.trim().replace(/^em-/i, 'EM-');
    const row = await this.db.selectFrom('emails').selectAll().where('id', '=', normalised).executeTakeFirst();
    if (row) return row;
    const candidates = await this.db
      .selectFrom('emails')
      .select('id')
      .orderBy('created_at', 'desc')
      .limit(SUGGESTION_SCAN_LIMIT)
      .execute();
    const similar = closest(
      normalised,
      candidates.map((candidate) => candidate.id),
    );
    throw new ToolFailure(
      `No email ${normalised}.${similar.length > 0 ? ` Did you mean ${similar.join(', ')}?` : ''} ` +
        'list_emails and search_emails show the ids of stored emails.',
    );
  }
}
