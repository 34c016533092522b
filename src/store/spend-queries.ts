/**
 * @module What a session and the whole install have spent, read from the recorded runs: the baseline a run's
 * session and day budgets are checked against.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Spending of a set of runs, in every budget dimension. */
export interface RecordedSpend {
  readonly usd: number;
  readonly tokens: number;
  readonly steps: number;
  readonly toolCalls: number;
  readonly wallSeconds: number;
}

/** Midnight UTC of the day `at` falls in, as an ISO string. */
export function dayStart(at: number): string {
  const date = new Date(at);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())).toISOString();
}

async function spendWhere(db: Kysely<Database>, filter: { sessionId?: string; since?: string; exceptRunId: string }): Promise<RecordedSpend> {
  let query = db
    .selectFrom('runs')
    .select(['cost_usd', 'input_tokens', 'output_tokens', 'steps', 'tool_calls', 'started_at', 'ended_at'])
    .where('id', '!=', filter.exceptRunId);
  if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
  if (filter.since !== undefined) query = query.where('started_at', '>=', filter.since);
  const rows = await query.execute();
  let usd = 0;
  let tokens = 0;
  let steps = 0;
  let toolCalls = 0;
  let wallSeconds = 0;
  for (const row of rows) {
    usd += Number(row.cost_usd);
    tokens += Number(row.input_tokens) + Number(row.output_tokens);
    steps += Number(row.steps);
    toolCalls += Number(row.tool_calls);
    if (row.ended_at) wallSeconds += Math.max(0, Date.parse(row.ended_at) - Date.parse(row.started_at)) / 1_000;
  }
  return { usd, tokens, steps, toolCalls, wallSeconds };
}

/** What the session and today (UTC) spent in runs other than `runId`. */
export async function spendBefore(
  db: Kysely<Database>,
  options: { runId: string; sessionId: string; at: number },
): Promise<{ session: RecordedSpend; day: RecordedSpend }> {
  const [session, day] = await Promise.all([
    spendWhere(db, { sessionId: options.sessionId, exceptRunId: options.runId }),
    spendWhere(db, { since: dayStart(options.at), exceptRunId: options.runId }),
  ]);
  return { session, day };
}
