/**
 * @module A run's totals, computed in one place: what one model call adds, what a tool-cache answer adds, what was
 * spent outside the loop (servers' sampling requests), and the spending a budget checks. The loop (`run-agent.ts`)
 * and the executing run (`active-run.ts`) both count through these; front ends only show the totals events carry.
 */
import type { RunTotals, Usage } from '../contracts/index.js';
import type { Spend } from './budget.js';

/** Tokens and dollars spent outside the loop (sampling), added on top of the loop's own totals. */
export interface ExtraSpending {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export const NO_EXTRA_SPENDING: ExtraSpending = Object.freeze({ inputTokens: 0, outputTokens: 0, costUsd: 0 });

/** Totals after one model call of the loop that asked for `toolCalls` tool calls. */
export function addUsage(totals: RunTotals, usage: Usage, costUsd: number, toolCalls: number): RunTotals {
  const next: RunTotals = {
    ...totals,
    steps: totals.steps + 1,
    toolCalls: totals.toolCalls + toolCalls,
    inputTokens: totals.inputTokens + usage.inputTokens,
    outputTokens: totals.outputTokens + usage.outputTokens,
    costUsd: totals.costUsd + costUsd,
  };
  const cached = (totals.cachedInputTokens ?? 0) + (usage.cachedInputTokens ?? 0);
  const reasoning = (totals.reasoningTokens ?? 0) + (usage.reasoningTokens ?? 0);
  return { ...next, ...(cached ? { cachedInputTokens: cached } : {}), ...(reasoning ? { reasoningTokens: reasoning } : {}) };
}

/** Totals with one more tool-cache hit or miss. */
export function countCache(totals: RunTotals, result: 'hit' | 'miss'): RunTotals {
  return result === 'hit' ? { ...totals, cacheHits: (totals.cacheHits ?? 0) + 1 } : { ...totals, cacheMisses: (totals.cacheMisses ?? 0) + 1 };
}

/** Extra spending after one more call outside the loop. */
export function addExtra(extra: ExtraSpending, usage: Usage, costUsd: number): ExtraSpending {
  return { inputTokens: extra.inputTokens + usage.inputTokens, outputTokens: extra.outputTokens + usage.outputTokens, costUsd: extra.costUsd + costUsd };
}

/** The loop's totals with what was spent outside it. */
export function withExtra(totals: RunTotals, extra: ExtraSpending): RunTotals {
  return {
    ...totals,
    inputTokens: totals.inputTokens + extra.inputTokens,
    outputTokens: totals.outputTokens + extra.outputTokens,
    costUsd: totals.costUsd + extra.costUsd,
  };
}

/** The run's spending as a budget measures it. */
export function spendOf(totals: RunTotals, wallSeconds: number): Spend {
  return { usd: totals.costUsd, tokens: totals.inputTokens + totals.outputTokens, steps: totals.steps, toolCalls: totals.toolCalls, wallSeconds };
}
