import type { Kysely, Transaction } from 'kysely';
import type { OrdersDatabase } from './tables.js';
import { runOnce } from '../shared/idempotency.js';
import { ToolFailure } from '../shared/tool-failure.js';

/** Attempts when a compare-and-set update finds the row changed by a concurrent writer. */
const CONCURRENT_CHANGE_ATTEMPTS = 3;

/**
 * Thrown by an action whose guarded update matched no row because another writer changed it after it was
 * read (PostgreSQL re-checks the WHERE clause once the other transaction commits). Nothing was written, so
 * `runIdempotent` runs the whole call again on fresh state.
 */
export class ConcurrentChange extends ToolFailure {
  constructor(what: string) {
    super(`${what} changed while this was running; nothing was done. Look it up again and retry.`);
    this.name = 'ConcurrentChange';
  }
}

/** What `runOnce` stores for this server: the result, and the arguments it answered. */
interface Recorded<T> {
  readonly request: string;
  readonly value: T;
}

/**
 * `runOnce` plus a check that a replayed key was first used for the same request. Without it, reusing a key
 * for a different order or amount would silently return the other call's result and do nothing, which
 * reads like success. `request` holds only the arguments that determine the effect (ids, amounts), not
 * free text such as the reason, so a retry that rewords the reason still replays.
 *
 * A `ConcurrentChange` from `work` reruns the call: with a key, a concurrent call with the same key has
 * usually just committed, and the rerun replays its result instead of failing; without one, the rerun checks
 * the limits again against the new state.
 *
 * Throws a `ToolFailure` when the key was used for another request or another tool; `work`'s own
 * `ToolFailure`s roll the transaction back and record nothing.
 */
export async function runIdempotent<T extends object>(
  db: Kysely<OrdersDatabase>,
  options: { key: string | undefined; tool: string; request: Readonly<Record<string, string | number>> },
  work: (trx: Transaction<OrdersDatabase>) => Promise<T>,
): Promise<T & { replayed: boolean }> {
  const request = JSON.stringify(options.request);
  const { result, replayed } = await retryConcurrentChange(() =>
    runOnce<Recorded<T>, OrdersDatabase>(db, { key: options.key, tool: options.tool }, async (trx) => ({
      request,
      value: await work(trx),
    })),
  );
  if (replayed && result.request !== request) {
    throw new ToolFailure(
      `idempotency_key '${options.key}' was already used for a different ${options.tool} call (${result.request}); ` +
        'nothing was done. Use a new key for this call.',
    );
  }
  return { ...result.value, replayed };
}

async function retryConcurrentChange<T>(attempt: () => Promise<T>): Promise<T> {
  for (let count = 1; ; count++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentChange) || count >= CONCURRENT_CHANGE_ATTEMPTS) throw error;
    }
  }
}
