import { describe, expect, it } from 'vitest';
import { loadPriceRegistry } from './price-registry.js';
import { costOf, findPrice, PriceBook } from './pricing.js';

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
