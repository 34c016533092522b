/**
 * @module What a session and the whole install have spent: the baseline a run's session and day budgets are checked
 * against. Money, tokens and model calls come from `model_calls`, the row stored for every paid call (steps and
 * sampling requests alike) with its own day, so a run that started yesterday and spent today counts today, and a
 * run still going (in another process) counts what it has spent so far. Tool calls and wall time, which no model call records, come from
 * the runs, through `run-store.ts` (the only reader of `runs` and `run_events`).
 */
import type { Kysely } from 'kysely';
import { RunStore } from './run-store.js';
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

/** Tool calls and wall seconds of the stored runs (wall time of the runs that ended), from the run store. */
function runSpend(db: Kysely<Database>, filter: SpendFilter): Promise<Pick<RecordedSpend, 'toolCalls' | 'wallSeconds'>> {
  return new RunStore(db).spendOf({
    exceptRunId: filter.exceptRunId,
    ...(filter.sessionId !== undefined ? { sessionId: filter.sessionId } : {}),
    ...(filter.day !== undefined ? { startedSince: `${filter.day}T00:00:00.000Z` } : {}),
  });
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

/** How many of a run's latest usage events are read to find one a budget checked. */
const CALIBRATION_LOOKBACK = 20;

/**
 * The last prompt estimate of run `runId` beside what the provider reported for that call (from its stored `usage`
 * events), so a resumed run's budget starts as calibrated as it was when the run stopped; undefined when none of
 * its calls carried an estimate.
 */
export async function lastPromptCalibration(db: Kysely<Database>, runId: string): Promise<{ estimated: number; reported: number } | undefined> {
  for (const event of await new RunStore(db).latestUsage(runId, CALIBRATION_LOOKBACK)) {
    if (event.promptTokensEstimate !== undefined && event.promptTokensEstimate > 0) return { estimated: event.promptTokensEstimate, reported: event.usage.inputTokens };
  }
  return undefined;
}
