/**
 * @module Summary statistics for benchmark samples: nearest-rank percentiles over a sorted copy, so the
 * figures are values that were actually measured rather than interpolations.
 */

/** A distribution of samples, all in the unit the samples were taken in. */
export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Summarises `samples` (median, p99, mean, min, max). Throws when there are none: a bench that measured nothing is a bug. */
export function summarize(samples: ArrayLike<number>): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: total / sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, rank: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Rounds to `digits` decimals, for the JSON line and the tables. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Rounds every field of a summary. */
export function roundSummary(summary: Summary, digits = 2): Summary {
  return {
    count: summary.count,
    p50: round(summary.p50, digits),
    p99: round(summary.p99, digits),
    mean: round(summary.mean, digits),
    min: round(summary.min, digits),
    max: round(summary.max, digits),
  };
}
