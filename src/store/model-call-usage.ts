/**
 * @module What the recorded model calls (`model_calls`, one row per paid call, steps and sampling requests alike)
 * add up to, grouped by model, session or UTC day: what `deckhand usage` reports.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How the recorded model calls are grouped. */
export type ModelCallGrouping = 'model' | 'session' | 'day';

const COLUMN = { model: 'model', session: 'session_id', day: 'day' } as const;

/** The model calls of one group (a model, a session or a day). */
export interface ModelCallUsage {
  readonly key: string;
  readonly runs: number;
  readonly calls: number;
  readonly samplingCalls: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly costUsd: number;
}

/** Tokens (cached input and reasoning included), cost and counts of the model calls since `since` (ISO-8601, else all), per group, ordered by it. */
export async function modelCallUsage(db: Kysely<Database>, options: { by: ModelCallGrouping; since?: string }): Promise<ModelCallUsage[]> {
  const column = COLUMN[options.by];
  let query = db
    .selectFrom('model_calls')
    .select(({ fn, ref }) => [
      ref(column).as('key'),
      fn.count<number>('run_id').distinct().as('runs'),
      fn.countAll<number>().as('calls'),
      fn.sum<number>('input_tokens').as('inputTokens'),
      fn.sum<number>('cached_input_tokens').as('cachedInputTokens'),
      fn.sum<number>('output_tokens').as('outputTokens'),
      fn.sum<number>('reasoning_tokens').as('reasoningTokens'),
      fn.sum<number>('cost_usd').as('costUsd'),
    ])
    .groupBy(column)
    .orderBy(column);
  if (options.since) query = query.where('at', '>=', options.since);
  let sampling = db
    .selectFrom('model_calls')
    .select(({ fn, ref }) => [ref(column).as('key'), fn.countAll<number>().as('calls')])
    .where('kind', '=', 'sampling')
    .groupBy(column);
  if (options.since) sampling = sampling.where('at', '>=', options.since);
  const [grouped, sampled] = await Promise.all([query.execute(), sampling.execute()]);
  const samplingByKey = new Map(sampled.map((row) => [String(row.key), Number(row.calls)]));
  // Aggregates come back as strings from PostgreSQL and numbers from SQLite.
  return grouped.map((row) => ({
    key: String(row.key),
    runs: Number(row.runs),
    calls: Number(row.calls),
    samplingCalls: samplingByKey.get(String(row.key)) ?? 0,
    inputTokens: Number(row.inputTokens ?? 0),
    cachedInputTokens: Number(row.cachedInputTokens ?? 0),
    outputTokens: Number(row.outputTokens ?? 0),
    reasoningTokens: Number(row.reasoningTokens ?? 0),
    costUsd: Number(row.costUsd ?? 0),
  }));
}
