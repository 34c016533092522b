/**
 * @module What model calls cost: the token counts of one call and a run's running totals.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** Token counts of one model call, as the provider reported them. */
export const UsageSchema = z.object({
  /** The whole prompt, cached parts included. */
  inputTokens: count,
  /** Everything produced, reasoning included. */
  outputTokens: count,
  /** Of `inputTokens`, read from the provider's prompt cache. */
  cachedInputTokens: count.optional(),
  /** Of `inputTokens`, written to the prompt cache (Anthropic). */
  cacheWriteInputTokens: count.optional(),
  /** Of `outputTokens`, spent on reasoning. */
  reasoningTokens: count.optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** What a run has done and spent so far. */
export const RunTotalsSchema = z.object({
  steps: count,
  toolCalls: count,
  /** Prompt tokens, cached ones included. */
  inputTokens: count,
  /** Output tokens, reasoning included. */
  outputTokens: count,
  costUsd: z.number().nonnegative(),
  /** Of `inputTokens`, read from the provider's prompt cache. */
  cachedInputTokens: count.optional(),
  /** Of `outputTokens`, spent on reasoning. */
  reasoningTokens: count.optional(),
  /** Read-only tool calls answered from the tool cache, and those that had to reach the server. */
  cacheHits: count.optional(),
  cacheMisses: count.optional(),
});
export type RunTotals = z.infer<typeof RunTotalsSchema>;

/** The totals of a run that has done nothing yet. */
export const ZERO_TOTALS: RunTotals = Object.freeze({ steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
