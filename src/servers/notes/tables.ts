/** @module The notes server's own table (created by `migrations.ts`). */
import type { CrmTables } from '../crm/tables.js';
import type { IssuesTables } from '../issues/tables.js';
import type { OrdersTables } from '../orders/tables.js';
import type { IdempotencyTables } from '../shared/tables.js';

export type NoteEntityType = 'customer' | 'order' | 'issue' | 'sku';

export interface NoteTable {
  id: string;
  entity_type: NoteEntityType;
  entity_id: string;
  text: string;
  author: string;
  created_at: string;
}

/** The tables the notes server owns. */
export type NotesTables = {
  notes: NoteTable;
};

/**
 * What the notes and issues servers query: their own tables, the records a note or an issue can be about
 * (customers, orders, issues, SKUs, read to check the record exists), and idempotency records. One type for
 * both, since they share the record lookups (`entity-ref.ts`) inside their transactions.
 */
export type EntityDatabase = NotesTables & IssuesTables & CrmTables & OrdersTables & IdempotencyTables;

/** What the notes server queries. */
export type NotesDatabase = EntityDatabase;
