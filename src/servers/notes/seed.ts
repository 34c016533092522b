/** @module The notes server's demo notes, on a demo customer, order and SKU. */
import type { Kysely } from 'kysely';
import type { NotesTables, NoteTable } from './tables.js';

const NOTE_TIME = '2026-11-01T10:00:00.000Z';

export const DEMO_NOTES: readonly NoteTable[] = [
  { id: 'N-0001', entity_type: 'customer', entity_id: 'C-1001', text: 'VIP since 2024. Prefers email over phone.', author: 'sam@store', created_at: NOTE_TIME },
  { id: 'N-0002', entity_type: 'order', entity_id: 'XYZ-790', text: 'Gift wrap requested; card reads "Happy anniversary".', author: 'dana@store', created_at: '2026-11-19T11:25:00.000Z' },
  { id: 'N-0003', entity_type: 'sku', entity_id: 'PND-EMR-01', text: 'Supplier restock expected early December.', author: 'sam@store', created_at: '2026-11-12T09:00:00.000Z' },
];

/** Inserts the demo notes when note N-0001 is missing; rows already there are kept. */
export async function seedNotes(db: Kysely<NotesTables>): Promise<void> {
  if (await db.selectFrom('notes').select('id').where('id', '=', 'N-0001').executeTakeFirst()) return;
  await db.insertInto('notes').values([...DEMO_NOTES]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
}
