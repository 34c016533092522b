/** @module The issues server's demo issues, about demo orders and SKUs. */
import type { Kysely } from 'kysely';
import type { IssuesTables, IssueTable } from './tables.js';

const issue = (
  id: string,
  title: string,
  body: string,
  status: IssueTable['status'],
  priority: IssueTable['priority'],
  assignee: string | null,
  labels: string[],
  relatedTo: string | null,
  createdAt: string,
): IssueTable => ({
  id,
  title,
  body,
  status,
  priority,
  assignee,
  labels: JSON.stringify(labels),
  related_to: relatedTo,
  created_at: createdAt,
  updated_at: createdAt,
});

export const DEMO_ISSUES: readonly IssueTable[] = [
  issue('ISS-101', 'Restock emerald drop pendants', 'PND-EMR-01 is out of stock; two customers asked this week.', 'open', 'medium', 'sam@store', ['inventory'], 'sku:PND-EMR-01', '2026-11-12T09:05:00.000Z'),
  issue('ISS-102', 'Cancelled watch order needs a follow-up call', 'Customer cancelled XYZ-793 after a delay; offer a discount on a re-order.', 'in_progress', 'low', 'dana@store', ['customer', 'follow-up'], 'order:XYZ-793', '2026-11-10T18:00:00.000Z'),
  issue('ISS-103', 'Ruby halo ring below reorder level', 'RNG-RUB-06 has 1 left (reorder level 2).', 'resolved', 'low', null, ['inventory'], 'sku:RNG-RUB-06', '2026-11-05T08:30:00.000Z'),
];

/** Inserts the demo issues when issue ISS-101 is missing; rows already there are kept. */
export async function seedIssues(db: Kysely<IssuesTables>): Promise<void> {
  if (await db.selectFrom('issues').select('id').where('id', '=', 'ISS-101').executeTakeFirst()) return;
  await db.insertInto('issues').values([...DEMO_ISSUES]).onConflict((conflict) => conflict.column('id').doNothing()).execute();
}
