import { STATUS_CODES } from 'node:http';
import { APICallError, JSONParseError } from 'ai';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../shared/errors.js';
import { type ProviderEndpoint, toProviderError } from './provider-errors.js';

const endpoint: ProviderEndpoint = {
  provider: 'openai',
  modelId: 'openai:gpt-4.1-mini',
  modelName: 'gpt-4.1-mini',
  baseUrl: 'http://gateway.internal/v1',
  apiKeyVariable: 'OPENAI_API_KEY',
  baseUrlVariable: 'OPENAI_BASE_URL',
  wireFormat: 'Chat Completions',
  baseUrlShape: 'an OpenAI-compatible /v1 base',
};
const url = 'http://gateway.internal/v1/chat/completions';

/** Like the SDK's failed-response handlers: the body's message, or the reason phrase when the body is not JSON. */
function httpError(statusCode: number, responseBody?: string): APICallError {
  const message = STATUS_CODES[statusCode] ?? 'Error';
  return new APICallError({
    message,
    url,
    requestBodyValues: {},
    statusCode,
    ...(responseBody ? { responseBody } : {}),
  });
}

describe('toProviderError', () => {
  it.each([
    [401, 'openai rejected the API key (401 Unauthorized): check OPENAI_API_KEY'],
    [403, 'openai rejected the API key (403 Forbidden): check OPENAI_API_KEY'],
    [
      405,
      'the endpoint at http://gateway.internal/v1/chat/completions does not accept this request (405 Method Not Allowed): OPENAI_BASE_URL must point at an OpenAI-compatible /v1 base',
    ],
    [
      429,
      "openai rate-limited the request or the quota is used up (429 Too Many Requests): retry later, or check the account's plan and billing",
    ],
    [502, 'openai is unavailable (502 Bad Gateway) at http://gateway.internal/v1: retry later'],
  ])('words HTTP %i as one line saying what to check', (status, expected) => {
    const error = toProviderError(httpError(status), endpoint);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.status).toBe(status);
    expect(error.message).toBe(expected);
  });

  it('says which model was not found and which base URL was used', () => {
    const body = JSON.stringify({ error: { message: 'The model `gpt-9` does not exist', code: 'model_not_found' } });
    expect(toProviderError(httpError(404, body), endpoint).message).toBe(
      'openai could not find model "gpt-4.1-mini" (404 Not Found: The model `gpt-9` does not exist): check the model id (--model openai:gpt-4.1-mini), or OPENAI_BASE_URL (now http://gateway.internal/v1)',
    );
  });

  it('never repeats a 401 body, which may echo part of the key', () => {
    const body = JSON.stringify({ error: { message: 'Incorrect API key provided: sk-abc123' } });
    expect(toProviderError(httpError(401, body), endpoint).message).not.toContain('sk-abc123');
  });

  it('keeps the provider explanation of other 4xx on one line', () => {
    const body = JSON.stringify({ error: { message: "Invalid schema for function 'crm__x':\n  missing 'type'" } });
    expect(toProviderError(httpError(400, body), endpoint).message).toBe(
      "openai rejected the request for openai:gpt-4.1-mini (400 Bad Request: Invalid schema for function 'crm__x': missing 'type')",
    );
  });

  it('names a refused connection and the variable to fix', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000'), { code: 'ECONNREFUSED' });
    const fetchFailure = new TypeError('fetch failed', { cause: refused });
    const wrapped = new APICallError({
      message: 'Cannot connect to API: connect ECONNREFUSED',
      url,
      requestBodyValues: {},
      cause: refused,
    });
    const expected =
      'could not reach openai at http://gateway.internal/v1 (ECONNREFUSED): check OPENAI_BASE_URL and that the server is running';
    expect(toProviderError(fetchFailure, endpoint).message).toBe(expected);
    expect(toProviderError(wrapped, endpoint).message).toBe(expected);
  });

  it('reports a body in another format as an unexpected response', () => {
    const error = new JSONParseError({ text: '<html>', cause: new SyntaxError('Unexpected token <') });
    expect(toProviderError(error, endpoint).message).toBe(
      'unexpected response from openai at http://gateway.internal/v1 (not the Chat Completions format): check OPENAI_BASE_URL, which must point at an OpenAI-compatible /v1 base',
    );
  });

  it('words stream error parts (plain objects) by their status, or by their message', () => {
    expect(
      toProviderError({ message: 'Overloaded', type: 'overloaded_error', statusCode: 529 }, endpoint).message,
    ).toBe('openai is unavailable (529 Overloaded: Overloaded) at http://gateway.internal/v1: retry later');
    expect(toProviderError({ message: 'context too long' }, endpoint).message).toBe(
      'openai reported an error: context too long',
    );
  });

  it('keeps an existing ProviderError and the original error as cause', () => {
    const existing = new ProviderError('already readable', 400);
    expect(toProviderError(existing, endpoint)).toBe(existing);
    const original = new Error('socket hang up\n    at TLSSocket.onEnd (node:_tls_wrap:1)');
    const mapped = toProviderError(original, endpoint);
    expect(mapped.cause).toBe(original);
    expect(mapped.message).toBe('openai request failed: socket hang up');
  });
});
