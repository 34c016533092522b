/**
 * @module Usage over time from the recorded runs: tokens and cost per day and model, and per model in total
 * (what `GET /api/usage` serves and the UI's usage chart draws); and the recorded model calls grouped by model,
 * session or day, with their total (what `deckhand usage` prints).
 */
import type { Store } from '../store/database.js';
import { type ModelCallGrouping, type ModelCallUsage, modelCallUsage } from '../store/model-call-usage.js';
import { RunStore } from '../store/run-store.js';

export type { ModelCallGrouping, ModelCallUsage };

/** Runs, tokens and cost of one model on one UTC day (`YYYY-MM-DD`). */
export interface UsageDay {
  readonly day: string;
  readonly model: string;
  readonly runs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** Totals of one model over the period. */
export interface UsageModel {
  readonly model: string;
  readonly runs: number;
  readonly steps: number;
  readonly toolCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/**
 * Usage of the runs started since `since` (ISO-8601), grouped per day and model (days in UTC, oldest first) and per
 * model. Aggregation happens here rather than in SQL so SQLite and PostgreSQL agree on day boundaries.
 */
export async function usageReport(store: Store, since: string): Promise<{ since: string; days: UsageDay[]; models: UsageModel[] }> {
  const runs = await new RunStore(store.db).startedSince(since);
  const days = new Map<string, { day: string; model: string; runs: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  const models = new Map<string, { model: string; runs: number; steps: number; toolCalls: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  for (const { model, startedAt, totals } of runs) {
    const day = startedAt.slice(0, 10);
    const key = `${day}\u0000${model}`;
    const dayEntry = days.get(key) ?? { day, model, runs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    dayEntry.runs += 1;
    dayEntry.inputTokens += totals.inputTokens;
    dayEntry.outputTokens += totals.outputTokens;
    dayEntry.costUsd += totals.costUsd;
    days.set(key, dayEntry);
    const modelEntry = models.get(model) ?? { model, runs: 0, steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    modelEntry.runs += 1;
    modelEntry.steps += totals.steps;
    modelEntry.toolCalls += totals.toolCalls;
    modelEntry.inputTokens += totals.inputTokens;
    modelEntry.outputTokens += totals.outputTokens;
    modelEntry.costUsd += totals.costUsd;
    models.set(model, modelEntry);
  }
  return { since, days: [...days.values()], models: [...models.values()].sort((a, b) => a.model.localeCompare(b.model)) };
}

/** Tokens and cost of every run of a session, and how many runs it has. */
export async function sessionTotals(store: Store, sessionId: string): Promise<{ runs: number; inputTokens: number; outputTokens: number; costUsd: number; toolCalls: number }> {
  const runs = await new RunStore(store.db).ofSession(sessionId);
  return runs.reduce(
    (sum, { totals }) => ({
      runs: sum.runs + 1,
      inputTokens: sum.inputTokens + totals.inputTokens,
      outputTokens: sum.outputTokens + totals.outputTokens,
      costUsd: sum.costUsd + totals.costUsd,
      toolCalls: sum.toolCalls + totals.toolCalls,
    }),
    { runs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, toolCalls: 0 },
  );
}

/**
 * The recorded model calls (sampling requests included) since `since` (ISO-8601, else all), grouped `by` model,
 * session or UTC day, ordered by the group, and their sum (`key` 'total').
 */
export async function modelCallReport(store: Store, options: { by: ModelCallGrouping; since?: string }): Promise<{ groups: ModelCallUsage[]; total: ModelCallUsage }> {
  const groups = await modelCallUsage(store.db, options);
  const total = groups.reduce(
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
  return { groups, total };
}
