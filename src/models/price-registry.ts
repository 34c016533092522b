/**
 * @module Default prices from `@pydantic/genai-prices`, a maintained, source-linked price registry bundled with the
 * package (no network at run time). Loaded on first use: the registry is large, and a run on the offline planner or
 * with every price overridden never pays for it.
 */
import { createRequire } from 'node:module';
import type { ModelPrice, PricedModel, PriceTier, RegistryLookup } from './pricing.js';

/**
 * Our provider names as the registry spells them (Vertex sells Gemini at Google's prices; Bedrock is `aws`).
 * `compat` endpoints can serve anything, so they go unmatched; an Azure deployment is priced when it is named
 * after its model.
 */
const REGISTRY_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  vertex: 'google',
  azure: 'azure',
  bedrock: 'aws',
};

type RegistryPrice = number | { readonly base: number; readonly tiers?: readonly { readonly start: number; readonly price: number }[] } | undefined;

/** The base rate of a registry price (tiered prices, e.g. Anthropic above 200k prompt tokens, start from `base`). */
function baseRate(value: RegistryPrice): number | undefined {
  if (typeof value === 'number') return value;
  return value && typeof value.base === 'number' ? value.base : undefined;
}

/** The rate of a registry price for a prompt of more than `start` tokens (the registry's own rule: the last tier passed). */
function rateAbove(value: RegistryPrice, start: number): number | undefined {
  if (typeof value !== 'object') return undefined;
  let rate: number | undefined;
  for (const tier of value.tiers ?? []) if (start >= tier.start) rate = tier.price;
  return rate;
}

/** The long-context tiers of a model's prices, merged over its rates: one tier per threshold any rate has. */
function tiersOf(prices: Readonly<Record<'input' | 'output' | 'cached' | 'written', RegistryPrice>>): PriceTier[] {
  const starts = new Set<number>();
  for (const value of Object.values(prices)) if (typeof value === 'object') for (const tier of value.tiers ?? []) starts.add(tier.start);
  return [...starts]
    .sort((left, right) => left - right)
    .map((start) => {
      const input = rateAbove(prices.input, start);
      const output = rateAbove(prices.output, start);
      const cached = rateAbove(prices.cached, start);
      const written = rateAbove(prices.written, start);
      return {
        aboveInputTokens: start,
        ...(input !== undefined ? { inputPerMTok: input } : {}),
        ...(output !== undefined ? { outputPerMTok: output } : {}),
        ...(cached !== undefined ? { cachedInputPerMTok: cached } : {}),
        ...(written !== undefined ? { cacheWriteInputPerMTok: written } : {}),
      };
    });
}

type CalcPrice = (typeof import('@pydantic/genai-prices'))['calcPrice'];

/**
 * Loads the registry and returns a lookup by provider and model name (the registry matches dated and aliased names,
 * e.g. `gpt-4.1-mini-2025-04-14`).
 */
export async function loadPriceRegistry(): Promise<RegistryLookup> {
  const { calcPrice } = await import('@pydantic/genai-prices');
  return lookupWith(calcPrice);
}

/**
 * The same lookup, with the registry loaded (synchronously, its CommonJS build) on the first model it is asked
 * about. `deckhand run` needs no price before its first model request unless a budget is set (then the budget check
 * asks first): this keeps the registry's load (~35-70 ms here) off the time to the first request.
 */
export function priceRegistryOnFirstUse(): RegistryLookup {
  let lookup: RegistryLookup | undefined;
  return (model) => {
    if (!REGISTRY_PROVIDER[model.provider]) return undefined;
    lookup ??= lookupWith((createRequire(import.meta.url)('@pydantic/genai-prices') as { calcPrice: CalcPrice }).calcPrice);
    return lookup(model);
  };
}

function lookupWith(calcPrice: CalcPrice): RegistryLookup {
  return (model: PricedModel): ModelPrice | undefined => {
    const providerId = REGISTRY_PROVIDER[model.provider];
    if (!providerId) return undefined;
    const result = calcPrice({ input_tokens: 0, output_tokens: 0 }, model.modelName, { providerId });
    if (!result) return undefined;
    const prices = result.model_price as Record<string, RegistryPrice>;
    const input = baseRate(prices.input_mtok);
    const output = baseRate(prices.output_mtok);
    if (input === undefined || output === undefined) return undefined;
    const cached = baseRate(prices.cache_read_mtok);
    const written = baseRate(prices.cache_write_mtok);
    const tiers = tiersOf({ input: prices.input_mtok, output: prices.output_mtok, cached: prices.cache_read_mtok, written: prices.cache_write_mtok });
    return {
      inputPerMTok: input,
      outputPerMTok: output,
      ...(cached !== undefined ? { cachedInputPerMTok: cached } : {}),
      ...(written !== undefined ? { cacheWriteInputPerMTok: written } : {}),
      ...(tiers.length > 0 ? { tiers } : {}),
    };
  };
}
