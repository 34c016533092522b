/**
 * @module A model that survives a flaky provider: transient failures (429, 5xx, network) are retried with `p-retry`,
 * waiting what the provider's `Retry-After` asks or an exponential backoff with full jitter; every call has a
 * timeout. Retries happen only before the first part arrives, so nothing a person already saw is ever repeated.
 */
import pRetry from 'p-retry';
import { delay } from '../shared/abort.js';
import { errorMessage, ProviderError } from '../shared/errors.js';
import {
  backoffMs,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRIES,
  isTransient,
  type RetryOptions,
  retryAfterMs,
} from './retry-policy.js';
import type { Model, ModelPart, ModelRequest, ModelStreamOptions } from './types.js';

/** Milliseconds one model call may take, stream included, before it is abandoned. */
export const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/** A model call that took longer than its timeout. Not retried; a fallback model takes over. */
export class ModelTimeoutError extends ProviderError {
  constructor(
    readonly modelId: string,
    readonly timeoutMs: number,
  ) {
    super(
      `${modelId} did not answer within ${formatSeconds(timeoutMs)}: the provider may be overloaded; ` +
        'retry later, add a fallback model, or raise "modelTimeoutMs" in deckhand.json',
      undefined,
    );
  }
}

/** Options of {@link ResilientModel}. */
export interface ResilientModelOptions extends RetryOptions {
  /** Per-call timeout. Default 120 s. */
  readonly timeoutMs?: number;
  /** Waits between attempts; injectable so tests need not wait. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of jitter; injectable for tests. */
  readonly random?: () => number;
}

/** Wraps a model with retries and a timeout; its id, provider and name are the wrapped model's. */
export class ResilientModel implements Model {
  readonly id: string;
  readonly provider: string;
  readonly modelName: string;

  constructor(
    private readonly inner: Model,
    private readonly options: ResilientModelOptions = {},
  ) {
    this.id = inner.id;
    this.provider = inner.provider;
    this.modelName = inner.modelName;
  }

  /** Prepares the wrapped model (see {@link Model.prepare}). */
  async prepare(): Promise<void> {
    await this.inner.prepare?.();
  }

  /** Streams the wrapped model's answer; `notice` parts report each retry before its wait. */
  async *stream(request: ModelRequest, streamOptions: ModelStreamOptions = {}): AsyncIterable<ModelPart> {
    const { signal } = streamOptions;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS;
    const sleep = this.options.sleep ?? delay;
    const maxRetryAfter = this.options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    const notices: ModelPart[] = [];
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let iterator: AsyncIterator<ModelPart> | undefined;

    // Whether a failed attempt is tried again, and after how long (undefined: not retried).
    const nextDelay = (error: unknown, retry: number): number | undefined => {
      if (signal?.aborted || error instanceof ModelTimeoutError || !isTransient(error)) return undefined;
      const asked = retryAfterMs(error);
      if (asked !== undefined) return asked <= maxRetryAfter ? asked : undefined;
      return backoffMs(retry, this.options, this.options.random);
    };

    const attempt = async () => {
      clearTimeout(timer);
      const timeout = new AbortController();
      timer = setTimeout(() => timeout.abort(new ModelTimeoutError(this.id, timeoutMs)), timeoutMs);
      const merged = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
      iterator = this.inner.stream(request, { signal: merged })[Symbol.asyncIterator]();
      return iterator.next();
    };

    const settled = pRetry(attempt, {
      retries: this.options.retries ?? DEFAULT_RETRIES,
      // p-retry counts attempts and stops on abort; the wait is ours (Retry-After, full jitter), taken in onFailedAttempt.
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      ...(signal ? { signal } : {}),
      shouldRetry: ({ error, retriesConsumed }) => nextDelay(error, retriesConsumed + 1) !== undefined,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft === 0) return;
        const wait = nextDelay(error, attemptNumber);
        if (wait === undefined) return;
        notices.push({ type: 'notice', notice: { kind: 'retry', model: this.id, attempt: attemptNumber, delayMs: wait, error: errorMessage(error) } });
        wake?.();
        await sleep(wait, signal);
      },
    }).then(
      (first) => ({ ok: true as const, first }),
      (error: unknown) => ({ ok: false as const, error }),
    );

    try {
      let outcome: Awaited<typeof settled> | undefined;
      while (!outcome) {
        const noticed = new Promise<undefined>((resolve) => {
          wake = () => resolve(undefined);
          if (notices.length > 0) resolve(undefined);
        });
        outcome = await Promise.race([settled, noticed]);
        yield* notices.splice(0);
      }
      if (!outcome.ok) throw outcome.error;
      if (outcome.first.done) return;
      yield outcome.first.value;
      for (;;) {
        const next = await iterator!.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      clearTimeout(timer);
      await iterator?.return?.();
    }
  }
}

function formatSeconds(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000} s` : `${(ms / 1_000).toFixed(1)} s`;
}
