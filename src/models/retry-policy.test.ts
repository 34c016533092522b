import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../shared/errors.js';
import { backoffMs, isTransient, retryAfterMs } from './retry-policy.js';

const callError = (statusCode: number | undefined, headers: Record<string, string> = {}) =>
  new ProviderError('failed', statusCode, {
    cause: new APICallError({ message: 'x', url: 'http://127.0.0.1/v1', requestBodyValues: {}, statusCode, responseHeaders: headers, isRetryable: statusCode === undefined }),
  });

describe('isTransient', () => {
  it('retries 408, 429, 5xx and network failures, never another 4xx', () => {
    expect([408, 429, 500, 503, 529].map((status) => isTransient(callError(status)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 422].map((status) => isTransient(callError(status)))).toEqual([false, false, false, false, false]);
    expect(isTransient(callError(undefined))).toBe(true);
    expect(isTransient(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(new Error('no'))).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, an HTTP date and retry-after-ms', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs(callError(429, { 'retry-after': '1' }), now)).toBe(1_000);
    expect(retryAfterMs(callError(429, { 'retry-after': 'Tue, 01 Dec 2026 10:00:03 GMT' }), now)).toBe(3_000);
    expect(retryAfterMs(callError(429, { 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(callError(429, { 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(callError(429), now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('is full jitter over a capped exponential', () => {
    expect(backoffMs(1, { baseDelayMs: 100 }, () => 0.999)).toBe(100);
    expect(backoffMs(4, { baseDelayMs: 100 }, () => 0.5)).toBe(400);
    expect(backoffMs(10, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => 1)).toBe(1_000);
    expect(backoffMs(3, { baseDelayMs: 100 }, () => 0)).toBe(0);
  });
});
