import type { Kysely } from 'kysely';
import type { CrmDatabase, CustomerTier } from './tables.js';
import { runOnce } from '../shared/idempotency.js';
import { nowIso } from '../shared/ids.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { CustomerStore, type CustomerRow, toSummary } from './customer-store.js';
import { type FieldChange, UPDATABLE_FIELDS, type UpdateResult } from './schemas.js';

/** The new values of an update; `null` clears an optional field (phone, city). */
export interface CustomerChanges {
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | null | undefined;
  readonly city?: string | null | undefined;
  readonly tier?: CustomerTier | undefined;
}

/** What `runOnce` records for an update: the result, and the request it answered. */
interface Recorded {
  readonly request: string;
  readonly result: Omit<UpdateResult, 'replayed'>;
}

/**
 * Updates a customer's fields at most once per idempotency key, reading and writing in one transaction with
 * the key's record. Returns the fields that actually changed, before and after; values that already match
 * are not written (so the update is idempotent in effect too).
 *
 * @throws ToolFailure when no field is given, the customer does not exist, the new email belongs to another
 *   customer, or the key was used before for a different request; nothing is written then.
 */
export async function updateCustomer(
  db: Kysely<CrmDatabase>,
  options: { customerId: string; changes: CustomerChanges; idempotencyKey?: string | undefined },
): Promise<UpdateResult> {
  const { customerId, changes, idempotencyKey } = options;
  const given = UPDATABLE_FIELDS.filter((field) => changes[field] !== undefined);
  if (given.length === 0) {
    throw new ToolFailure(`Nothing to update: pass at least one of ${UPDATABLE_FIELDS.join(', ')} with the new value.`);
  }
  // Only the effect-determining arguments: a repeat with the same key must ask for the same change.
  const request = JSON.stringify([customerId, ...given.map((field) => [field, changes[field]])]);
  const { result, replayed } = await runOnce<Recorded, CrmDatabase>(
    db,
    { key: idempotencyKey, tool: 'update_customer' },
    async (trx) => ({
      request,
      result: await applyChanges(new CustomerStore(trx), trx, customerId, changes),
    }),
  );
  if (replayed && result.request !== request) {
    throw new ToolFailure(
      `idempotency_key '${idempotencyKey}' was already used for a different update_customer call; nothing was changed. ` +
        'Use a new key for this change.',
    );
  }
  return { ...result.result, replayed };
}

async function applyChanges(
  customers: CustomerStore,
  trx: Kysely<CrmDatabase>,
  customerId: string,
  changes: CustomerChanges,
): Promise<Omit<UpdateResult, 'replayed'>> {
  const before = await customers.require(customerId);
  const diff: FieldChange[] = UPDATABLE_FIELDS.flatMap((field) => {
    const next = changes[field];
    return next === undefined || next === before[field] ? [] : [{ field, before: before[field], after: next }];
  });
  if (changes.email !== undefined && changes.email !== before.email) {
    const owner = await customers.ownerOfEmail(changes.email, customerId);
    if (owner) {
      throw new ToolFailure(
        `${changes.email} already belongs to ${owner.id} (${owner.name}); nothing was changed. Each customer needs their own email.`,
      );
    }
  }
  if (diff.length === 0) return { customer_id: customerId, changes: [], customer: toSummary(before) };
  const values: Partial<CustomerRow> = Object.fromEntries(diff.map((change) => [change.field, change.after]));
  await trx
    .updateTable('customers')
    .set({ ...values, updated_at: nowIso() })
    .where('id', '=', customerId)
    .execute();
  return { customer_id: customerId, changes: diff, customer: toSummary({ ...before, ...values }) };
}
