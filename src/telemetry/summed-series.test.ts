import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BucketHistogram, SummedCounter } from './summed-series.js';

// Invariant: a scrape reads the same text from these as from prom-client's own Counter and Histogram fed the same values.
describe('summed series', () => {
  it('expose what prom-client exposes for the same increments and observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const buckets = [0.01, 0.1, 1];
    const counter = new SummedCounter({ name: 'c_total', help: 'A counter.', labelNames: ['model', 'type'] as const, registers: [ours] });
    const histogram = new BucketHistogram({ name: 'h_seconds', help: 'A histogram.', labelNames: ['tool'] as const, buckets, registers: [ours] });
    const reference = new Counter({ name: 'c_total', help: 'A counter.', labelNames: ['model', 'type'], registers: [theirs] });
    const referenceHistogram = new Histogram({ name: 'h_seconds', help: 'A histogram.', labelNames: ['tool'], buckets, registers: [theirs] });
    const input = counter.series({ model: 'openai:gpt-4.1-mini', type: 'input' });
    for (const value of [1_200, 800]) {
      input.add(value);
      reference.inc({ model: 'openai:gpt-4.1-mini', type: 'input' }, value);
    }
    counter.inc({ model: 'anthropic:claude-sonnet-4-5', type: 'output' }, 5);
    reference.inc({ model: 'anthropic:claude-sonnet-4-5', type: 'output' }, 5);
    for (const [tool, value] of [['get', 0.004], ['get', 0.01], ['get', 0.5], ['get', 7], ['send', 0.2]] as const) {
      histogram.observe({ tool }, value);
      referenceHistogram.observe({ tool }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
