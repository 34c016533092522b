import { describe, expect, it } from 'vitest';
import { loadPriceRegistry, priceRegistryOnFirstUse } from './price-registry.js';
import { costOf, findPrice, PriceBook, priceAt } from './pricing.js';

describe('findPrice', () => {
  const table = {
    'gpt-4.1-mini': { inputPerMTok: 1, outputPerMTok: 1 },
    'openai:gpt-4.1-mini': { inputPerMTok: 2, outputPerMTok: 2 },
    'openai:gpt-4.1': { inputPerMTok: 3, outputPerMTok: 3 },
  };
  it('prefers provider:model to the bare name, and the longest prefix for dated names', () => {
    expect(findPrice({ provider: 'openai', modelName: 'gpt-4.1-mini' }, table)?.inputPerMTok).toBe(2);
    expect(findPrice({ provider: 'compat', modelName: 'gpt-4.1-mini' }, table)?.inputPerMTok).toBe(1);
    expect(findPrice({ provider: 'openai', modelName: 'gpt-4.1-mini-2025-04-14' }, table)?.inputPerMTok).toBe(2);
    expect(findPrice({ provider: 'openai', modelName: 'gpt-4.1-2025-04-14' }, table)?.inputPerMTok).toBe(3);
    expect(findPrice({ provider: 'anthropic', modelName: 'constructor' }, table)).toBeUndefined();
  });
});

describe('costOf', () => {
  it('charges cached and cache-written input at their own rates, defaulting to the input rate', () => {
    const price = { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5, cacheWriteInputPerMTok: 2.5 };
    const usage = { inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 200_000, cacheWriteInputTokens: 100_000 };
    expect(costOf(usage, price)).toBeCloseTo(0.7 * 2 + 0.2 * 0.5 + 0.1 * 2.5 + 0.5 * 8, 10);
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 1_000_000 }, { inputPerMTok: 2, outputPerMTok: 8 })).toBe(2);
    expect(costOf(usage, undefined)).toBe(0);
  });
});

describe('PriceBook', () => {
  it('takes overrides over the registry, knows local models are free, and says when a model is unknown', async () => {
    const book = new PriceBook({ overrides: { 'anthropic:claude-sonnet-4-5': { inputPerMTok: 1, outputPerMTok: 1 } }, registry: await loadPriceRegistry() });
    expect(book.quote({ provider: 'anthropic', modelName: 'claude-sonnet-4-5' })).toEqual({ price: { inputPerMTok: 1, outputPerMTok: 1 }, source: 'config' });
    expect(book.quote({ provider: 'openai', modelName: 'gpt-4.1-mini' })).toEqual({
      price: { inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
      source: 'registry',
    });
    expect(book.quote({ provider: 'anthropic', modelName: 'claude-haiku-4-5' })?.price).toMatchObject({ inputPerMTok: 1, outputPerMTok: 5, cachedInputPerMTok: 0.1 });
    expect(book.quote({ provider: 'ollama', modelName: 'qwen2.5' })?.source).toBe('free');
    expect(book.quote({ provider: 'openai', modelName: 'not-a-model' })).toBeUndefined();
    expect(book.quote({ provider: 'compat', modelName: 'gpt-4.1-mini' })).toBeUndefined();
  });
});

describe('tiered prices', () => {
  const price = {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cachedInputPerMTok: 0.3,
    tiers: [{ aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5, cachedInputPerMTok: 0.6 }],
  };

  it('charges a prompt over the threshold the tier rates for all its tokens, input and output', () => {
    expect(costOf({ inputTokens: 200_000, outputTokens: 1_000 }, price)).toBeCloseTo(0.6 + 0.015, 10);
    expect(costOf({ inputTokens: 200_001, outputTokens: 1_000 }, price)).toBeCloseTo((200_001 * 6 + 1_000 * 22.5) / 1e6, 10);
    expect(costOf({ inputTokens: 300_000, outputTokens: 0, cachedInputTokens: 100_000 }, price)).toBeCloseTo((200_000 * 6 + 100_000 * 0.6) / 1e6, 10);
  });

  it('keeps a rate the tier leaves out, and passes tiers in order', () => {
    const stepped = { inputPerMTok: 1, outputPerMTok: 2, tiers: [{ aboveInputTokens: 10, inputPerMTok: 5 }, { aboveInputTokens: 20, outputPerMTok: 7 }] };
    expect(priceAt(stepped, 10)).toEqual({ inputPerMTok: 1, outputPerMTok: 2 });
    expect(priceAt(stepped, 15)).toEqual({ inputPerMTok: 5, outputPerMTok: 2 });
    expect(priceAt(stepped, 25)).toEqual({ inputPerMTok: 5, outputPerMTok: 7 });
  });

  it('prices alike with the registry loaded on first use (its CommonJS build) and loaded up front', async () => {
    const upFront = await loadPriceRegistry();
    const onFirstUse = priceRegistryOnFirstUse();
    for (const model of [
      { provider: 'openai', modelName: 'gpt-4.1-mini' },
      { provider: 'openai', modelName: 'gpt-4.1-mini-2025-04-14' },
      { provider: 'anthropic', modelName: 'claude-sonnet-4-5' },
      { provider: 'bedrock', modelName: 'anthropic.claude-sonnet-4-5-20250929-v1:0' },
      { provider: 'openai', modelName: 'not-a-model' },
      { provider: 'compat', modelName: 'gpt-4.1-mini' },
    ]) {
      expect(onFirstUse(model)).toEqual(upFront(model));
    }
  });

  it('reads the registry tiers and prices them as the registry does', async () => {
    const { calcPrice } = await import('@pydantic/genai-prices');
    const registered = (await loadPriceRegistry())({ provider: 'anthropic', modelName: 'claude-sonnet-4-5' })!;
    expect(registered.tiers).toEqual([{ aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5, cachedInputPerMTok: 0.6, cacheWriteInputPerMTok: 7.5 }]);
    for (const usage of [
      { inputTokens: 150_000, outputTokens: 2_000 },
      { inputTokens: 300_000, outputTokens: 2_000 },
      { inputTokens: 300_000, outputTokens: 2_000, cachedInputTokens: 120_000 },
    ]) {
      const expected = calcPrice(
        { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_tokens: usage.cachedInputTokens ?? 0 },
        'claude-sonnet-4-5',
        { providerId: 'anthropic' },
      )!.total_price;
      expect(costOf(usage, registered)).toBeCloseTo(expected, 10);
    }
  });
});
