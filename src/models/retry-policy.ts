/**
 * @module When a failed model call is worth another try, and how long to wait first: 429, 408 and 5xx answers and
 * network failures are transient; every other 4xx is the request's own fault and is never retried. The wait is the
 * provider's `Retry-After` (seconds or an HTTP date, or `retry-after-ms`) when it sends one, else exponential
 * backoff with full jitter.
 */
import { APICallError } from 'ai';
import { ProviderError } from '../shared/errors.js';
import { networkCode } from './provider-errors.js';

/** Retry settings of one model. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly retries?: number;
  /** Backoff before the first retry, before jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Longest backoff. Default 20 s. */
  readonly maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the call fails (and a fallback model takes over). Default 60 s. */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_RETRIES = 3;
export const DEFAULT_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 20_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** The status a failure carries (a `ProviderError` or the AI SDK's `APICallError`), if any. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof ProviderError) return error.status ?? statusOf(error.cause);
  if (APICallError.isInstance(error)) return error.statusCode;
  return undefined;
}

/** True for a failure another attempt may not have: 408, 429, 5xx, or nothing answering at all. */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  if (networkCode(error) !== undefined) return true;
  // The AI SDK reports "cannot connect" as an APICallError without a status.
  const cause = error instanceof ProviderError ? error.cause : error;
  return APICallError.isInstance(cause) && cause.statusCode === undefined && cause.isRetryable;
}

/** The response headers of a failed call, when the failure carries them. */
function headersOf(error: unknown): Record<string, string> | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if (APICallError.isInstance(current)) return current.responseHeaders;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The wait a provider asked for, in milliseconds: `retry-after-ms`, else `Retry-After` as seconds or as an HTTP
 * date (relative to `now`); undefined when it sent neither or something unreadable.
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  const headers = headersOf(error);
  if (!headers) return undefined;
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) lower[key.toLowerCase()] = value;
  const milliseconds = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = lower['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter: a uniformly random wait up to the capped exponential backoff for retry `attempt` (1-based). */
export function backoffMs(attempt: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  return Math.round(random() * Math.min(cap, base * 2 ** (attempt - 1)));
}
