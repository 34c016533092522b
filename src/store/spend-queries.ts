/**
 * @module What a session and the whole install have spent: the baseline a run's session and day budgets are checked
 * against. Money, tokens and model calls come from `model_calls`, the row stored for every paid call (steps and
 * sampling requests alike) with its own day, so a run that started yesterday and spent today counts today, and a
 * run still going (in another process) counts what it has spent so far. Tool calls and wall time, which no model call records, come from
 * the runs.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
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

/** Which stored spending to sum: one session's, or one UTC day's; never the run being checked. */
interface SpendFilter {
  readonly sessionId?: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly day?: string;
  readonly exceptRunId: string;
}

/** USD, tokens (input + output) and steps (model calls of the loop, not sampling) of the stored model calls. */
async function modelCallSpend(db: Kysely<Database>, filter: SpendFilter): Promise<Pick<RecordedSpend, 'usd' | 'tokens' | 'steps'>> {
  let query = db
    .selectFrom('model_calls')
    .select((eb) => [
      eb.fn.sum<number | string | null>('cost_usd').as('usd'),
      eb.fn.sum<number | string | null>(eb('input_tokens', '+', eb.ref('output_tokens'))).as('tokens'),
      eb.fn.sum<number | string | null>(eb.case().when('kind', '=', 'step').then(1).else(0).end()).as('steps'),
    ])
    .where('run_id', '!=', filter.exceptRunId);
  if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
  if (filter.day !== undefined) query = query.where('day', '=', filter.day);
  const row = await query.executeTakeFirst();
  return { usd: Number(row?.usd ?? 0), tokens: Number(row?.tokens ?? 0), steps: Number(row?.steps ?? 0) };
}

/** Tool calls and wall seconds of the stored runs (wall time of the runs that ended). */
async function runSpend(db: Kysely<Database>, filter: SpendFilter): Promise<Pick<RecordedSpend, 'toolCalls' | 'wallSeconds'>> {
  let query = db.selectFrom('runs').select(['tool_calls', 'started_at', 'ended_at']).where('id', '!=', filter.exceptRunId);
  if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
  if (filter.day !== undefined) query = query.where('started_at', '>=', `${filter.day}T00:00:00.000Z`);
  let toolCalls = 0;
  let wallSeconds = 0;
  for (const row of await query.execute()) {
    toolCalls += Number(row.tool_calls);
    if (row.ended_at) wallSeconds += Math.max(0, Date.parse(row.ended_at) - Date.parse(row.started_at)) / 1_000;
  }
  return { toolCalls, wallSeconds };
}

async function spendWhere(db: Kysely<Database>, filter: SpendFilter): Promise<RecordedSpend> {
  const [calls, runs] = await Promise.all([modelCallSpend(db, filter), runSpend(db, filter)]);
  return { ...calls, ...runs };
}

/** What the session and today (UTC) spent in runs other than `runId`. */
export async function spendBefore(
  db: Kysely<Database>,
  options: { runId: string; sessionId: string; at: number },
): Promise<{ session: RecordedSpend; day: RecordedSpend }> {
  const day = dayStart(options.at).slice(0, 10);
  const [session, today] = await Promise.all([
    spendWhere(db, { sessionId: options.sessionId, exceptRunId: options.runId }),
    spendWhere(db, { day, exceptRunId: options.runId }),
  ]);
  return { session, day: today };
}

/** The fields of a stored `usage` event the budget's calibration needs (stored events are JSON, parsed, not cast). */
const StoredUsageSchema = z.object({
  usage: z.object({ inputTokens: z.number() }),
  promptTokensEstimate: z.number().positive(),
});

/** How many of a run's latest usage events are read to find one a budget checked. */
const CALIBRATION_LOOKBACK = 20;

/**
 * The last prompt estimate of run `runId` beside what the provider reported for that call (from its stored `usage`
 * events), so a resumed run's budget starts as calibrated as it was when the run stopped; undefined when none of
 * its calls carried an estimate.
 */
export async function lastPromptCalibration(db: Kysely<Database>, runId: string): Promise<{ estimated: number; reported: number } | undefined> {
  const rows = await db
    .selectFrom('run_events')
    .select('data')
    .where('run_id', '=', runId)
    .where('type', '=', 'usage')
    .orderBy('seq', 'desc')
    .limit(CALIBRATION_LOOKBACK)
    .execute();
  for (const row of rows) {
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch {
      continue;
    }
    const parsed = StoredUsageSchema.safeParse(data);
    if (parsed.success) return { estimated: parsed.data.promptTokensEstimate, reported: parsed.data.usage.inputTokens };
  }
  return undefined;
}
