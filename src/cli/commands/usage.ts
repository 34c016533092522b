import { UsageError } from '../../shared/errors.js';
import { formatCount, formatUsd } from '../format.js';
import { withSettingsStore } from '../settings-store.js';

interface UsageRow {
  readonly model: string;
  readonly runs: number;
  readonly steps: number;
  readonly toolCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** `deckhand usage [--since DATE] [--json]`: runs, tokens and cost per model, from the recorded runs. */
export async function usageCommand(options: { since?: string; json?: boolean }): Promise<number> {
  let since: string | undefined;
  if (options.since !== undefined) {
    const parsed = new Date(options.since);
    if (Number.isNaN(parsed.getTime())) throw new UsageError(`--since: expected a date like 2026-11-01, got "${options.since}".`);
    since = parsed.toISOString();
  }
  const rows = await withSettingsStore(async (store) => {
    let query = store.db
      .selectFrom('runs')
      .select(({ fn }) => [
        'model',
        fn.countAll<number>().as('runs'),
        fn.sum<number>('steps').as('steps'),
        fn.sum<number>('tool_calls').as('toolCalls'),
        fn.sum<number>('input_tokens').as('inputTokens'),
        fn.sum<number>('output_tokens').as('outputTokens'),
        fn.sum<number>('cost_usd').as('costUsd'),
      ])
      .groupBy('model')
      .orderBy('model');
    if (since) query = query.where('started_at', '>=', since);
    return query.execute();
  });
  // Aggregates come back as strings from PostgreSQL and numbers from SQLite.
  const usage: UsageRow[] = rows.map((row) => ({
    model: row.model,
    runs: Number(row.runs),
    steps: Number(row.steps ?? 0),
    toolCalls: Number(row.toolCalls ?? 0),
    inputTokens: Number(row.inputTokens ?? 0),
    outputTokens: Number(row.outputTokens ?? 0),
    costUsd: Number(row.costUsd ?? 0),
  }));
  const total = usage.reduce(
    (sum, row) => ({
      model: 'total',
      runs: sum.runs + row.runs,
      steps: sum.steps + row.steps,
      toolCalls: sum.toolCalls + row.toolCalls,
      inputTokens: sum.inputTokens + row.inputTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      costUsd: sum.costUsd + row.costUsd,
    }),
    { model: 'total', runs: 0, steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ since: since ?? null, models: usage, total }, null, 2)}\n`);
    return 0;
  }
  if (usage.length === 0) {
    process.stdout.write(`No runs recorded${since ? ` since ${since}` : ''}.\n`);
    return 0;
  }
  for (const row of [...usage, total]) {
    process.stdout.write(
      `${row.model.padEnd(28)} ${String(row.runs).padStart(5)} runs  ${String(row.steps).padStart(6)} steps  ${String(row.toolCalls).padStart(6)} tool calls  ` +
        `${formatCount(row.inputTokens).padStart(12)} in  ${formatCount(row.outputTokens).padStart(10)} out  ${formatUsd(row.costUsd)}\n`,
    );
  }
  return 0;
}
