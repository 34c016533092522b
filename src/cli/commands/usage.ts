import { UsageError } from '../../shared/errors.js';
import { formatCount, formatUsd } from '../format.js';
import { withSettingsStore } from '../../app/store.js';

/** How `deckhand usage` groups the recorded model calls. */
export type UsageGrouping = 'model' | 'session' | 'day';
const GROUPINGS: readonly UsageGrouping[] = ['model', 'session', 'day'];
const COLUMN = { model: 'model', session: 'session_id', day: 'day' } as const;

interface UsageRow {
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

const UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `--since`: a span back from `now` (`30m`, `24h`, `7d`, `2w`) or a date (`2026-11-01`); as an ISO timestamp. */
export function parseSince(value: string, now: number = Date.now()): string {
  const span = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (span) return new Date(now - Number(span[1]) * UNITS_MS[span[2] as keyof typeof UNITS_MS]).toISOString();
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`--since: expected a span like 7d or 24h, or a date like 2026-11-01, got "${value}".`);
  return parsed.toISOString();
}

/**
 * `deckhand usage [--since 7d] [--by model|session|day] [--json]`: tokens (cached input and reasoning included) and
 * cost of every recorded model call, sampling requests included, grouped by model (default), session or day (UTC).
 */
export async function usageCommand(options: { since?: string; by?: string; json?: boolean }): Promise<number> {
  const since = options.since !== undefined ? parseSince(options.since) : undefined;
  const by = (options.by ?? 'model') as UsageGrouping;
  if (!GROUPINGS.includes(by)) throw new UsageError(`--by: expected model, session or day, got "${options.by}".`);
  const column = COLUMN[by];
  const rows = await withSettingsStore(async (store) => {
    let query = store.db
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
    if (since) query = query.where('at', '>=', since);
    const sampling = store.db
      .selectFrom('model_calls')
      .select(({ fn, ref }) => [ref(column).as('key'), fn.countAll<number>().as('calls')])
      .where('kind', '=', 'sampling')
      .groupBy(column);
    const [grouped, sampled] = await Promise.all([query.execute(), (since ? sampling.where('at', '>=', since) : sampling).execute()]);
    const samplingByKey = new Map(sampled.map((row) => [String(row.key), Number(row.calls)]));
    return grouped.map((row) => ({ ...row, samplingCalls: samplingByKey.get(String(row.key)) ?? 0 }));
  });
  // Aggregates come back as strings from PostgreSQL and numbers from SQLite.
  const usage: UsageRow[] = rows.map((row) => ({
    key: String(row.key),
    runs: Number(row.runs),
    calls: Number(row.calls),
    samplingCalls: row.samplingCalls,
    inputTokens: Number(row.inputTokens ?? 0),
    cachedInputTokens: Number(row.cachedInputTokens ?? 0),
    outputTokens: Number(row.outputTokens ?? 0),
    reasoningTokens: Number(row.reasoningTokens ?? 0),
    costUsd: Number(row.costUsd ?? 0),
  }));
  const total = usage.reduce(
    (sum, row) => ({
      key: 'total',
      runs: sum.runs + row.runs,
      calls: sum.calls + row.calls,
      samplingCalls: sum.samplingCalls + row.samplingCalls,
      inputTokens: sum.inputTokens + row.inputTokens,
      cachedInputTokens: sum.cachedInputTokens + row.cachedInputTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      reasoningTokens: sum.reasoningTokens + row.reasoningTokens,
      costUsd: sum.costUsd + row.costUsd,
    }),
    { key: 'total', runs: 0, calls: 0, samplingCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0 },
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ since: since ?? null, by, groups: usage, total }, null, 2)}\n`);
    return 0;
  }
  if (usage.length === 0) {
    process.stdout.write(`No model calls recorded${since ? ` since ${since}` : ''}.\n`);
    return 0;
  }
  const width = Math.max(12, ...usage.map((row) => row.key.length)) + 2;
  for (const row of [...usage, total]) {
    process.stdout.write(
      `${row.key.padEnd(width)} ${String(row.calls).padStart(6)} calls (${row.samplingCalls} sampling)  ` +
        `${formatCount(row.inputTokens).padStart(10)} in (${formatCount(row.cachedInputTokens)} cached)  ` +
        `${formatCount(row.outputTokens).padStart(9)} out (${formatCount(row.reasoningTokens)} reasoning)  ${formatUsd(row.costUsd)}\n`,
    );
  }
  return 0;
}
