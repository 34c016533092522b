/**
 * @module The one table the side-effecting built-in servers share (crm, orders, issues, email): idempotency
 * records, so a key used for one tool is refused for another. Created by `shared/migrations.ts`.
 */
/** The first result of every side effect done under an idempotency key, replayed for repeats. */
export interface IdempotencyKeyTable {
  key: string;
  tool: string;
  result: string;
  created_at: string;
}

/** The tables the shared server code owns. */
export type IdempotencyTables = {
  idempotency_keys: IdempotencyKeyTable;
};
