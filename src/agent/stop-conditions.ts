import type { RunTotals } from '../contracts/index.js';

/** Small predicates deciding when a run must stop before its next model call. */
export const isStepLimitReached = (step: number, maxSteps: number): boolean => step > maxSteps;

export const isBudgetExhausted = (totals: RunTotals, budgetUsd: number | null): boolean =>
  budgetUsd !== null && totals.costUsd >= budgetUsd;
