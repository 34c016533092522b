/**
 * @module What a model call costs: per-million-token prices (input, cached input, cache writes, output), where
 * they come from (the `pricing` overrides of `deckhand.json`, else the maintained price registry), and the cost of
 * a call's usage. A model without a price costs 0, and the book says so once per run (see {@link PriceBook}).
 */
import type { Usage } from '../contracts/index.js';

/** Price of a model in US dollars per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Input tokens read from the provider's prompt cache; default: the input price. */
  readonly cachedInputPerMTok?: number;
  /** Input tokens written to the prompt cache (Anthropic); default: the input price. */
  readonly cacheWriteInputPerMTok?: number;
  /**
   * Long-context rates, lowest threshold first: a call whose prompt has more than `aboveInputTokens` tokens is
   * charged the tier's rates for all its tokens (input and output), as the providers and the registry price it.
   * A rate a tier leaves out stays what it was below the tier.
   */
  readonly tiers?: readonly PriceTier[];
}

/** The rates of a call whose prompt is longer than {@link PriceTier.aboveInputTokens} (see {@link ModelPrice.tiers}). */
export interface PriceTier {
  readonly aboveInputTokens: number;
  readonly inputPerMTok?: number;
  readonly outputPerMTok?: number;
  readonly cachedInputPerMTok?: number;
  readonly cacheWriteInputPerMTok?: number;
}

/** The flat rates that apply to a call with `promptTokens` prompt tokens: the base, or the highest tier it passes. */
export function priceAt(price: ModelPrice, promptTokens: number): ModelPrice {
  if (!price.tiers || price.tiers.length === 0) return price;
  let rates: ModelPrice = { inputPerMTok: price.inputPerMTok, outputPerMTok: price.outputPerMTok, ...cacheRates(price) };
  for (const tier of price.tiers) {
    if (promptTokens <= tier.aboveInputTokens) continue;
    rates = {
      inputPerMTok: tier.inputPerMTok ?? rates.inputPerMTok,
      outputPerMTok: tier.outputPerMTok ?? rates.outputPerMTok,
      ...cacheRates({ ...rates, ...definedOnly(tier) }),
    };
  }
  return rates;
}

function cacheRates(price: Pick<ModelPrice, 'cachedInputPerMTok' | 'cacheWriteInputPerMTok'>): Pick<ModelPrice, 'cachedInputPerMTok' | 'cacheWriteInputPerMTok'> {
  return {
    ...(price.cachedInputPerMTok !== undefined ? { cachedInputPerMTok: price.cachedInputPerMTok } : {}),
    ...(price.cacheWriteInputPerMTok !== undefined ? { cacheWriteInputPerMTok: price.cacheWriteInputPerMTok } : {}),
  };
}

function definedOnly(tier: PriceTier): Partial<ModelPrice> {
  return Object.fromEntries(Object.entries(tier).filter(([key, value]) => key !== 'aboveInputTokens' && value !== undefined));
}

/** Where a price came from: `config` (`deckhand.json` `pricing`), `registry` (the bundled price registry) or `free` (local models). */
export type PriceSource = 'config' | 'registry' | 'free';

/** A model's price and its source. */
export interface PriceQuote {
  readonly price: ModelPrice;
  readonly source: PriceSource;
}

/** The parts of a model that name it for pricing. */
export interface PricedModel {
  readonly provider: string;
  readonly modelName: string;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Free of charge: the offline planner, and models served locally through Ollama. */
export const FREE: ModelPrice = { inputPerMTok: 0, outputPerMTok: 0 };
const FREE_PROVIDERS = new Set(['offline', 'ollama', 'scripted']);

/**
 * Looks up a price by key in a `pricing` table: `provider:model` first, then the bare model name, then the longest
 * `provider:` or bare key that the model name starts with (`gpt-4.1-mini` prices `gpt-4.1-mini-2025-04-14`).
 */
export function findPrice(model: PricedModel, table: PriceTable): ModelPrice | undefined {
  const qualified = `${model.provider}:${model.modelName}`;
  if (Object.hasOwn(table, qualified)) return table[qualified];
  if (Object.hasOwn(table, model.modelName)) return table[model.modelName];
  let best: { key: string; rank: number } | undefined;
  for (const key of Object.keys(table)) {
    const separator = key.indexOf(':');
    const provider = separator < 0 ? undefined : key.slice(0, separator);
    const name = separator < 0 ? key : key.slice(separator + 1);
    if (provider !== undefined && provider !== model.provider) continue;
    if (!model.modelName.startsWith(name)) continue;
    // A longer name is more specific; at equal length, provider:model beats the bare name.
    const rank = name.length * 2 + (provider === undefined ? 0 : 1);
    if (!best || rank > best.rank) best = { key, rank };
  }
  return best ? table[best.key] : undefined;
}

/**
 * Cost of one model call in USD. `usage.inputTokens` is the whole prompt; its cached and cache-written parts are
 * charged at their own rates when the price has them, at the tier the prompt's length reaches ({@link priceAt}).
 * Reasoning tokens are part of `outputTokens`. Zero without a price.
 */
export function costOf(usage: Usage, tiered: ModelPrice | undefined): number {
  if (!tiered) return 0;
  const price = priceAt(tiered, usage.inputTokens);
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheWriteInputTokens ?? 0, usage.inputTokens - cached);
  const fresh = usage.inputTokens - cached - written;
  return (
    (fresh * price.inputPerMTok +
      cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
      written * (price.cacheWriteInputPerMTok ?? price.inputPerMTok) +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000
  );
}

/** Looks a model up in the price registry; `undefined` when the registry does not know it. */
export type RegistryLookup = (model: PricedModel) => ModelPrice | undefined;

/** Options of {@link PriceBook}. */
export interface PriceBookOptions {
  /** `deckhand.json` `pricing`: keys `provider:model` or a bare model name; they win over the registry. */
  readonly overrides?: PriceTable;
  /** The maintained registry (see `loadPriceRegistry`); without it only overrides and free models are priced. */
  readonly registry?: RegistryLookup;
}

/**
 * Prices for every model a process uses (a run may switch to a fallback model, so pricing is per model, not per
 * run): overrides first, then the registry; local models are free. Lookups are memoised.
 */
export class PriceBook {
  private readonly memo = new Map<string, PriceQuote | null>();

  constructor(private readonly options: PriceBookOptions = {}) {}

  /** The model's price and its source, or `undefined` when nobody knows it (it then costs 0). */
  quote(model: PricedModel): PriceQuote | undefined {
    const key = `${model.provider}:${model.modelName}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.lookup(model);
    this.memo.set(key, found ?? null);
    return found;
  }

  /** The model's price, or `undefined` when unknown. */
  price(model: PricedModel): ModelPrice | undefined {
    return this.quote(model)?.price;
  }

  private lookup(model: PricedModel): PriceQuote | undefined {
    const override = this.options.overrides ? findPrice(model, this.options.overrides) : undefined;
    if (override) return { price: override, source: 'config' };
    if (FREE_PROVIDERS.has(model.provider)) return { price: FREE, source: 'free' };
    const registered = this.options.registry?.(model);
    return registered ? { price: registered, source: 'registry' } : undefined;
  }
}
