/**
 * @module The tables of every built-in server, as one Kysely database type: what the host prepares when it
 * opens the store, and what in-process servers, tests and benches query. Each server's own tables are in its
 * folder (`<name>/tables.ts`).
 */
import type { CrmTables } from './crm/tables.js';
import type { DevopsDatabase } from './devops/tables.js';
import type { EmailTables } from './email/tables.js';
import type { IssuesTables } from './issues/tables.js';
import type { NotesTables } from './notes/tables.js';
import type { OrdersTables } from './orders/tables.js';
import type { IdempotencyTables } from './shared/tables.js';

/** Every built-in server's tables. */
export type BuiltinDatabase = IdempotencyTables & CrmTables & OrdersTables & IssuesTables & NotesTables & EmailTables & DevopsDatabase;
