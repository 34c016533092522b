/** @module The email server's view of the one server harness: its outbox rows and idempotency records, read directly. */
import type { ServerHarness } from '../../testing/server-harness.js';

export { forEachBackend, freshDbFile, resultText, structured } from '../../testing/server-harness.js';

/** An outbox row as the tests read it straight from the database. */
export interface OutboxRow {
  readonly id: string;
  readonly to_address: string;
  readonly subject: string;
  readonly body: string;
  readonly kind: string;
  readonly order_id: string | null;
  readonly status: string;
  readonly delivery_note: string | null;
  readonly idempotency_key: string | null;
}

/** A connected email server plus direct reads of the rows behind it. */
export interface EmailHarness extends ServerHarness {
  /** The outbox row `id`, or undefined. */
  email(id: string): Promise<OutboxRow | undefined>;
  /** How many outbox rows there are. */
  emailCount(): Promise<number>;
  /** How many idempotency records carry `key`. */
  keyCount(key: string): Promise<number>;
}

/** Adds the outbox reads to a harness opened on the email server. */
export function withOutbox(harness: ServerHarness): EmailHarness {
  return {
    ...harness,
    email: (id) => harness.db.selectFrom('emails').selectAll().where('id', '=', id).executeTakeFirst(),
    emailCount: () => harness.count('emails'),
    keyCount: (key) => harness.count('idempotency_keys', { key }),
  };
}
