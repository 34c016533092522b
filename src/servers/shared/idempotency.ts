import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { delay } from '../../shared/abort.js';
import type { IdempotencyKeyTable, IdempotencyTables } from './tables.js';
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
export async function runOnce<T, DB extends IdempotencyTables = IdempotencyTables>(
  db: Kysely<DB>,
  options: { key: string | undefined; tool: string },
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const { key, tool } = options;
  if (!key) return { result: await db.transaction().execute(work), replayed: false };
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        // Plain SQL on the one table this code owns: the caller's database type is wider and its own.
        const { rows } = await sql<Pick<IdempotencyKeyTable, 'tool' | 'result'>>`select tool, result from idempotency_keys where ${sql.ref('key')} = ${key}`.execute(trx);
        const existing = rows[0];
        if (existing) {
          if (existing.tool !== tool) {
            throw new ToolFailure(`idempotency_key '${key}' was already used for ${existing.tool}; use a new key for ${tool}.`);
          }
          return { result: JSON.parse(existing.result) as T, replayed: true };
        }
        const result = await work(trx);
        const created = new Date().toISOString();
        await sql`insert into idempotency_keys (${sql.ref('key')}, tool, result, created_at) values (${key}, ${tool}, ${JSON.stringify(result)}, ${created})`.execute(trx);
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
