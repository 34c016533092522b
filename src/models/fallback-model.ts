/**
 * @module A chain of models (`"model": ["anthropic:claude-sonnet-4-5", "openai:gpt-4.1-mini"]`): when the one in use
 * fails for good with a provider outage (a transient failure its retries did not cure, or a timeout) before it
 * produced anything, the next one answers, and a `fallback` notice says so. The chain stays on the fallback for a
 * while before it tries the first model again.
 */
import { errorMessage } from '../shared/errors.js';
import { ModelTimeoutError } from './resilient-model.js';
import { isTransient } from './retry-policy.js';
import type { Model, ModelPart, ModelRequest, ModelStreamOptions } from './types.js';

/** How long the chain stays on a fallback before it tries the first model again. */
export const DEFAULT_FALLBACK_STICKY_MS = 5 * 60_000;

/** A failure that means "this provider is down", not "this request is wrong". */
export function isOutage(error: unknown): boolean {
  return error instanceof ModelTimeoutError || isTransient(error);
}

/** Options of {@link FallbackModel}. */
export interface FallbackModelOptions {
  readonly stickyMs?: number;
  readonly now?: () => number;
}

/** Answers with the first model of the chain that is up. Its id, provider and name are the first model's. */
export class FallbackModel implements Model {
  readonly id: string;
  readonly provider: string;
  readonly modelName: string;
  private active = 0;
  private switchedAt = 0;

  constructor(
    readonly models: readonly Model[],
    private readonly options: FallbackModelOptions = {},
  ) {
    const [first] = models;
    if (!first) throw new Error('FallbackModel needs at least one model.');
    this.id = first.id;
    this.provider = first.provider;
    this.modelName = first.modelName;
  }

  /** The model the next call starts with. */
  current(): Model {
    const now = (this.options.now ?? Date.now)();
    if (this.active > 0 && now - this.switchedAt >= (this.options.stickyMs ?? DEFAULT_FALLBACK_STICKY_MS)) this.active = 0;
    return this.models[this.active]!;
  }

  /** Prepares the model the next call starts with; the others load when a call falls back to them. */
  async prepare(): Promise<void> {
    await this.current().prepare?.();
  }

  /** Streams the answer of the first model up; its `finish` part names the model that answered. */
  async *stream(request: ModelRequest, options: ModelStreamOptions = {}): AsyncIterable<ModelPart> {
    this.current();
    for (let index = this.active; index < this.models.length; index += 1) {
      const model = this.models[index]!;
      let produced = false;
      try {
        for await (const part of model.stream(request, options)) {
          if (part.type === 'finish') {
            yield { ...part, model: part.model ?? { id: model.id, provider: model.provider, modelName: model.modelName } };
          } else {
            if (part.type !== 'notice') produced = true;
            yield part;
          }
        }
        return;
      } catch (error) {
        const next = this.models[index + 1];
        if (options.signal?.aborted || produced || !next || !isOutage(error)) throw error;
        this.active = index + 1;
        this.switchedAt = (this.options.now ?? Date.now)();
        yield { type: 'notice', notice: { kind: 'fallback', from: model.id, to: next.id, error: errorMessage(error) } };
      }
    }
  }
}
