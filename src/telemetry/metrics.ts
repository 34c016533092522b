/**
 * @module Prometheus metrics (`prom-client`) of the host: runs by outcome, model-call latency, tokens and cost by
 * model, tool-call latency by server and tool, approvals pending, budget refusals, tool-cache hits, retries and
 * fallbacks. One registry per process, served at `/metrics` by `deckhand serve`. The series a run updates every
 * step are summed in place (`summed-series.ts`); the rest are prom-client's own.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { BucketHistogram, type CounterSeries, type HistogramSeries, SummedCounter } from './summed-series.js';

/** Latency buckets in seconds, from a cached read to a slow model turn. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The series one model call updates. */
export interface ModelSeries {
  readonly seconds: HistogramSeries;
  readonly input: CounterSeries;
  readonly output: CounterSeries;
  readonly cachedInput: CounterSeries;
  readonly reasoning: CounterSeries;
  readonly costUsd: CounterSeries;
}

/** The host's metrics, in their own registry. */
export class HostMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({ name: 'deckhand_runs_total', help: 'Runs ended, by outcome.', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly modelCallSeconds = new BucketHistogram({
    name: 'deckhand_model_call_duration_seconds',
    help: 'Model call latency (retries included), by model and kind (step or sampling).',
    labelNames: ['model', 'kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly tokens = new SummedCounter({
    name: 'deckhand_model_tokens_total',
    help: 'Tokens by model and type (input, cached_input, output, reasoning).',
    labelNames: ['model', 'type'] as const,
    registers: [this.registry],
  });
  readonly costUsd = new SummedCounter({ name: 'deckhand_model_cost_usd_total', help: 'Cost in US dollars, by model.', labelNames: ['model'] as const, registers: [this.registry] });
  readonly toolCallSeconds = new BucketHistogram({
    name: 'deckhand_tool_call_duration_seconds',
    help: 'Tool call latency, by server, tool and outcome (ok, error).',
    labelNames: ['server', 'tool', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly approvalsPending = new Gauge({ name: 'deckhand_approvals_pending', help: 'Approvals waiting for a person.', registers: [this.registry] });
  readonly budgetRefusals = new Counter({
    name: 'deckhand_budget_refusals_total',
    help: 'Model or tool calls refused by a budget, by scope and dimension.',
    labelNames: ['scope', 'dimension'] as const,
    registers: [this.registry],
  });
  readonly toolCache = new SummedCounter({ name: 'deckhand_tool_cache_total', help: 'Read-only tool calls by cache result (hit, miss).', labelNames: ['result'] as const, registers: [this.registry] });
  readonly retries = new Counter({ name: 'deckhand_model_retries_total', help: 'Model call attempts retried, by model.', labelNames: ['model'] as const, registers: [this.registry] });
  readonly fallbacks = new Counter({ name: 'deckhand_model_fallbacks_total', help: 'Switches to a fallback model.', labelNames: ['from', 'to'] as const, registers: [this.registry] });

  private readonly modelSeries = new Map<string, ModelSeries>();
  private readonly toolSeries = new Map<string, HistogramSeries>();

  /** The series one model and call kind update, found once and kept. */
  model(model: string, kind: string): ModelSeries {
    const key = `${kind}\u0000${model}`;
    let series = this.modelSeries.get(key);
    if (!series) {
      series = {
        seconds: this.modelCallSeconds.series({ model, kind }),
        input: this.tokens.series({ model, type: 'input' }),
        output: this.tokens.series({ model, type: 'output' }),
        cachedInput: this.tokens.series({ model, type: 'cached_input' }),
        reasoning: this.tokens.series({ model, type: 'reasoning' }),
        costUsd: this.costUsd.series({ model }),
      };
      this.modelSeries.set(key, series);
    }
    return series;
  }

  /** The latency series of one tool and outcome, found once and kept. */
  tool(server: string, tool: string, outcome: 'ok' | 'error'): HistogramSeries {
    const key = `${server}\u0000${tool}\u0000${outcome}`;
    let series = this.toolSeries.get(key);
    if (!series) {
      series = this.toolCallSeconds.series({ server, tool, outcome });
      this.toolSeries.set(key, series);
    }
    return series;
  }

  /** The exposition text and its content type, for a `/metrics` route. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
