import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { delay } from '../../shared/abort.js';
import type { Database } from '../../store/schema.js';
import { ToolFailure } from './tool-failure.js';

/** The optional `idempotency_key` argument every side-effecting tool accepts. */
export const IdempotencyKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .describe('Optional; a repeated call with the same key returns the first result instead of doing it again');

const CONFLICT_ATTEMPTS = 5;

/** SQLite busy/snapshot conflicts and PostgreSQL unique or serialization conflicts: another writer won. */
function isWriteConflict(error: unknown): boolean {
  const text = `${error}${(error as { code?: string })?.code ?? ''}`;
  return /SQLITE_BUSY|database is locked|UNIQUE constraint failed: idempotency_keys|23505|40001/.test(text);
}

/**
 * Does a side effect at most once per idempotency key. `work` runs inside a transaction that also records
 * the key with the result, so the effect and the record commit together; a repeat with the same key returns
 * the recorded result with `replayed: true`. Without a key, `work` simply runs in a transaction.
 * A `ToolFailure` from `work` rolls everything back and records nothing, so a corrected retry may succeed.
 */
export async function runOnce<T>(
  db: Kysely<Database>,
  options: { key: string | undefined; tool: string },
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const { key, tool } = options;
  if (!key) return { result: await db.transaction().execute(work), replayed: false };
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('idempotency_keys').select(['tool', 'result']).where('key', '=', key).executeTakeFirst();
        if (existing) {
          if (existing.tool !== tool) {
            throw new ToolFailure(`idempotency_key '${key}' was already used for ${existing.tool}; use a new key for ${tool}.`);
          }
          return { result: JSON.parse(existing.result) as T, replayed: true };
        }
        const result = await work(trx);
        await trx
          .insertInto('idempotency_keys')
          .values({ key, tool, result: JSON.stringify(result), created_at: new Date().toISOString() })
          .execute();
        return { result, replayed: false };
      });
    } catch (error) {
      // A concurrent call with the same key committed first: our transaction rolled back, so retrying
      // finds its record and replays it.
      if (!isWriteConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
      await delay(10 * attempt);
    }
  }
}
