import type { Usage } from './types.js';

/** Price of a model in US dollars per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/**
 * List prices of common models (USD per million tokens). Override or extend with `pricing` in
 * `deckhand.json`; a model missing here is costed at zero and the CLI says the cost is unknown.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
};

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Looks up a price by exact model name, then by the longest known prefix (`gpt-4.1-mini-2025-04-14`). */
export function findPrice(modelName: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  if (Object.hasOwn(table, modelName)) return table[modelName];
  let best: string | undefined;
  for (const known of Object.keys(table)) {
    if (modelName.startsWith(known) && (!best || known.length > best.length)) best = known;
  }
  return best ? table[best] : undefined;
}

/** Cost of one model call in USD; zero when the price is unknown. */
export function costOf(usage: Usage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
