/**
 * @module Usage over time from the recorded runs: tokens and cost per day and model, and per model in total.
 * What `GET /api/usage` serves and the UI's usage chart draws.
 */
import type { Store } from '../store/database.js';

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
  const rows = await store.db
    .selectFrom('runs')
    .select(['model', 'started_at', 'steps', 'tool_calls', 'input_tokens', 'output_tokens', 'cost_usd'])
    .where('started_at', '>=', since)
    .orderBy('started_at')
    .execute();
  const days = new Map<string, { day: string; model: string; runs: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  const models = new Map<string, { model: string; runs: number; steps: number; toolCalls: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  for (const row of rows) {
    const day = row.started_at.slice(0, 10);
    const key = `${day}\u0000${row.model}`;
    const dayEntry = days.get(key) ?? { day, model: row.model, runs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    dayEntry.runs += 1;
    dayEntry.inputTokens += Number(row.input_tokens);
    dayEntry.outputTokens += Number(row.output_tokens);
    dayEntry.costUsd += Number(row.cost_usd);
    days.set(key, dayEntry);
    const modelEntry = models.get(row.model) ?? { model: row.model, runs: 0, steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    modelEntry.runs += 1;
    modelEntry.steps += Number(row.steps);
    modelEntry.toolCalls += Number(row.tool_calls);
    modelEntry.inputTokens += Number(row.input_tokens);
    modelEntry.outputTokens += Number(row.output_tokens);
    modelEntry.costUsd += Number(row.cost_usd);
    models.set(row.model, modelEntry);
  }
  return { since, days: [...days.values()], models: [...models.values()].sort((a, b) => a.model.localeCompare(b.model)) };
}

/** Tokens and cost of every run of a session, and how many runs it has. */
export async function sessionTotals(store: Store, sessionId: string): Promise<{ runs: number; inputTokens: number; outputTokens: number; costUsd: number; toolCalls: number }> {
  const rows = await store.db.selectFrom('runs').select(['input_tokens', 'output_tokens', 'cost_usd', 'tool_calls']).where('session_id', '=', sessionId).execute();
  return rows.reduce(
    (sum, row) => ({
      runs: sum.runs + 1,
      inputTokens: sum.inputTokens + Number(row.input_tokens),
      outputTokens: sum.outputTokens + Number(row.output_tokens),
      costUsd: sum.costUsd + Number(row.cost_usd),
      toolCalls: sum.toolCalls + Number(row.tool_calls),
    }),
    { runs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, toolCalls: 0 },
  );
}
