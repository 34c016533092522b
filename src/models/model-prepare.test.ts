import { describe, expect, it } from 'vitest';
import { FallbackModel } from './fallback-model.js';
import { ResilientModel } from './resilient-model.js';
import type { Model } from './types.js';

/** A model that only counts its prepare calls. */
function counting(id: string): Model & { prepared: number } {
  const model = {
    id,
    provider: 'openai',
    modelName: id,
    prepared: 0,
    async prepare() {
      model.prepared += 1;
    },
    // eslint-disable-next-line require-yield
    async *stream() {
      throw new Error('not called');
    },
  };
  return model;
}

describe('Model.prepare through the wrappers', () => {
  it('a resilient fallback chain prepares the model its next call starts with, and no other', async () => {
    const first = counting('first');
    const second = counting('second');
    await new ResilientModel(new FallbackModel([first, second])).prepare();
    expect([first.prepared, second.prepared]).toEqual([1, 0]);
  });

  it('a wrapped model without prepare is fine', async () => {
    const { prepare: _omitted, ...bare } = counting('bare');
    await expect(new ResilientModel(bare).prepare()).resolves.toBeUndefined();
  });
});
