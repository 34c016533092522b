import { createHash } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { EmailDatabase } from './tables.js';
import { runOnce } from '../shared/idempotency.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { ok, toolError } from '../shared/tool-result.js';
import { type Email, type NewEmail, NOT_DELIVERED_NOTE, Outbox, SMTP_PENDING_NOTE } from './outbox.js';
import type { EmailResult } from './schemas.js';
import type { Mailer } from './smtp.js';

/** One send, as a tool asks for it. */
export interface SendRequest {
  /** The tool sending, recorded with the idempotency key. */
  readonly tool: string;
  readonly email: Omit<NewEmail, 'idempotencyKey'>;
  readonly idempotencyKey?: string | undefined;
  /**
   * The arguments that decide what is sent. A repeat with the same key must carry the same ones, or it is
   * refused: silently replaying another email's result would read like success.
   */
  readonly request: readonly unknown[];
}

/** The email after a send: its current row, and whether this call repeated an earlier one. */
export interface SendOutcome {
  readonly email: Email;
  readonly duplicate: boolean;
}

/** What `runOnce` records for a send. */
interface Recorded {
  readonly request: string;
  readonly email_id: string;
}

/**
 * Sends email through the outbox: the row and its idempotency record commit together (status `queued`);
 * only then, and only for a first call, is it handed to the SMTP server, and the row becomes `sent` or
 * `failed`. So a repeated key never sends twice, and a crash mid-delivery leaves a `queued` row that says so.
 * Without a mailer (no `SMTP_URL`) emails stay queued with `NOT_DELIVERED_NOTE`.
 */
export class EmailSender {
  private readonly outbox: Outbox;

  constructor(
    private readonly db: Kysely<EmailDatabase>,
    private readonly mailer: Mailer | undefined,
  ) {
    this.outbox = new Outbox(db);
  }

  /**
   * Stores and (when SMTP is configured) delivers one email.
   *
   * @throws ToolFailure when the idempotency key was used for another tool or another email; nothing is sent.
   */
  async send(request: SendRequest): Promise<SendOutcome> {
    const key = request.idempotencyKey || undefined;
    const fingerprint = createHash('sha256').update(JSON.stringify(request.request)).digest('hex');
    const note = this.mailer ? SMTP_PENDING_NOTE : NOT_DELIVERED_NOTE;
    const { result, replayed } = await runOnce<Recorded, EmailDatabase>(this.db, { key, tool: request.tool }, async (trx) => {
      const row = await new Outbox(trx).insert({ ...request.email, idempotencyKey: key }, note);
      return { request: fingerprint, email_id: row.id };
    });
    if (replayed && result.request !== fingerprint) {
      throw new ToolFailure(
        `idempotency_key '${key}' was already used for a different email (${result.email_id}); nothing was sent. ` +
          'Use a new key for this email.',
      );
    }
    const stored = await this.outbox.require(result.email_id);
    if (replayed || !this.mailer) return { email: stored, duplicate: replayed };
    const outcome = await this.mailer.deliver({
      id: stored.id,
      to: stored.to_address,
      subject: stored.subject,
      body: stored.body,
    });
    if (outcome.delivered) await this.outbox.markSent(stored.id);
    else await this.outbox.markFailed(stored.id, outcome.error);
    return { email: await this.outbox.require(stored.id), duplicate: false };
  }
}

/** The structured result both senders return. */
export function toEmailResult(outcome: SendOutcome): EmailResult {
  const { email, duplicate } = outcome;
  return {
    email_id: email.id,
    to: email.to_address,
    subject: email.subject,
    status: email.status,
    delivered: email.status === 'sent',
    note: email.delivery_note,
    duplicate,
  };
}

/**
 * The tool result of a send: `label` names what was sent (`shipping confirmation`, `email`). A failed SMTP
 * delivery is an `isError` result that still carries the structured result, so the model learns the email
 * id and that it was stored but not delivered.
 */
export function sendResult(label: string, outcome: SendOutcome): CallToolResult {
  const result = toEmailResult(outcome);
  const prefix = result.duplicate ? 'Already sent (same idempotency key): ' : '';
  if (result.status === 'failed') {
    const text =
      `${prefix}${label} ${result.email_id} to ${result.to} was stored in the outbox but not delivered (${result.note}). ` +
      `It is marked failed. Check the SMTP server, then send it again with a new idempotency_key; get_email ${result.email_id} shows it.`;
    return { ...toolError(text), structuredContent: result };
  }
  const text =
    `${prefix}${label} ${result.email_id} to ${result.to} — "${result.subject}"` +
    ` (${result.delivered ? 'delivered' : `${result.status}, ${result.note}`})`;
  return ok(text, result);
}
