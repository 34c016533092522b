import { UsageError } from '../../shared/errors.js';
import { formatCount, formatUsd } from '../format.js';
import { withSettingsStore } from '../../app/store.js';
import { type ModelCallGrouping, modelCallReport } from '../../app/usage-report.js';

/** How `deckhand usage` groups the recorded model calls. */
export type UsageGrouping = ModelCallGrouping;
const GROUPINGS: readonly UsageGrouping[] = ['model', 'session', 'day'];

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
  const { groups: usage, total } = await withSettingsStore((store) => modelCallReport(store, { by, ...(since !== undefined ? { since } : {}) }));
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
