import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  TypeValidationError,
} from 'ai';
import { ProviderError } from '../shared/errors.js';

// The reason phrases of node:http, not imported as an ES module: its ESM facade reads every export, which loads
// Node's whole HTTP client stack (undici, http2, tls) in processes that never make a request, such as the servers'.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/** Where a model's requests go, and which settings a person would change to fix a failure. */
export interface ProviderEndpoint {
  /** Provider name shown to people: `openai`, `anthropic`, `ollama`, `compat`. */
  readonly provider: string;
  /** The model id as the user wrote it (`openai:gpt-4.1-mini`). */
  readonly modelId: string;
  /** The provider's model name (`gpt-4.1-mini`). */
  readonly modelName: string;
  /** The base URL requests are sent to (`https://api.openai.com/v1`). */
  readonly baseUrl: string;
  /** The variable holding the API key; absent when the provider takes none (Ollama). */
  readonly apiKeyVariable?: string;
  /** The variable that sets the base URL (`OPENAI_BASE_URL`). */
  readonly baseUrlVariable: string;
  /** The wire format spoken: `Chat Completions` or `Messages`. */
  readonly wireFormat: string;
  /** What the base URL must point at (`an OpenAI-compatible /v1 base`). */
  readonly baseUrlShape: string;
}

// Socket-level failures worth naming: they mean "nothing answered at that address".
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const MAX_DETAIL_CHARS = 160;

/**
 * Turns any failure of a provider call (an HTTP error status, an unreachable server, a body that is not
 * the provider's wire format, an `error` part in the stream) into one `ProviderError` whose message is a
 * single line saying what to check. The original error is kept as `cause`; the message never holds a stack.
 */
export function toProviderError(error: unknown, endpoint: ProviderEndpoint): ProviderError {
  if (error instanceof ProviderError) return error;
  const options = { cause: error };

  if (APICallError.isInstance(error)) {
    if (error.statusCode !== undefined) {
      const detail = detailFromBody(error.responseBody) ?? detailFromMessage(error.message);
      return new ProviderError(statusMessage(error.statusCode, endpoint, error.url, detail), error.statusCode, options);
    }
    const reason = networkCode(error) ?? oneLine(error.message.replace(/^Cannot connect to API:\s*/, ''));
    return new ProviderError(unreachableMessage(endpoint, reason), undefined, options);
  }
  if (
    JSONParseError.isInstance(error) ||
    TypeValidationError.isInstance(error) ||
    InvalidResponseDataError.isInstance(error) ||
    EmptyResponseBodyError.isInstance(error) ||
    isUnnormalizedStreamError(error)
  ) {
    return malformedResponseError(endpoint, error);
  }
  const code = networkCode(error);
  if (code !== undefined) return new ProviderError(unreachableMessage(endpoint, code), undefined, options);

  // Stream `error` parts carry plain objects ({ message, type, statusCode }) rather than Error instances.
  const streamError = asStreamError(error);
  if (streamError) {
    const detail = oneLine(streamError.message);
    if (streamError.statusCode !== undefined) {
      return new ProviderError(
        statusMessage(streamError.statusCode, endpoint, endpoint.baseUrl, detail),
        streamError.statusCode,
        options,
      );
    }
    return new ProviderError(`${endpoint.provider} reported an error: ${detail}`, undefined, options);
  }
  // Only the first line: anything after it in an unknown error is usually a stack or a dump.
  const firstLine = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '';
  return new ProviderError(`${endpoint.provider} request failed: ${oneLine(firstLine)}`, undefined, options);
}

/** The error for a response that is not in the provider's wire format (an HTML page, a different API). */
export function malformedResponseError(endpoint: ProviderEndpoint, cause?: unknown): ProviderError {
  return new ProviderError(
    `unexpected response from ${endpoint.provider} at ${endpoint.baseUrl} (not the ${endpoint.wireFormat} format): ` +
      `check ${endpoint.baseUrlVariable}, which must point at ${endpoint.baseUrlShape}`,
    undefined,
    { cause },
  );
}

function statusMessage(status: number, endpoint: ProviderEndpoint, url: string, detail: string | undefined): string {
  const { provider } = endpoint;
  const label = statusLabel(status);
  const withDetail = detail ? `${label}: ${detail}` : label;
  if (status === 401 || status === 403) {
    return endpoint.apiKeyVariable
      ? `${provider} rejected the API key (${label}): check ${endpoint.apiKeyVariable}`
      : `${provider} at ${endpoint.baseUrl} refused the request (${label}): it wants credentials Deckhand does not send for ${provider}`;
  }
  if (status === 404) {
    return (
      `${provider} could not find model "${endpoint.modelName}" (${withDetail}): check the model id ` +
      `(--model ${endpoint.modelId}), or ${endpoint.baseUrlVariable} (now ${endpoint.baseUrl})`
    );
  }
  if (status === 405) {
    return (
      `the endpoint at ${url} does not accept this request (${label}): ` +
      `${endpoint.baseUrlVariable} must point at ${endpoint.baseUrlShape}`
    );
  }
  if (status === 429) {
    return `${provider} rate-limited the request or the quota is used up (${withDetail}): retry later, or check the account's plan and billing`;
  }
  if (status >= 500) {
    return `${provider} is unavailable (${withDetail}) at ${endpoint.baseUrl}: retry later`;
  }
  return `${provider} rejected the request for ${endpoint.modelId} (${withDetail})`;
}

function statusLabel(status: number): string {
  // 529 is Anthropic's own "overloaded" status; Node's table does not know it.
  const phrase = STATUS_CODES[status] ?? (status === 529 ? 'Overloaded' : undefined);
  return phrase ? `${status} ${phrase}` : String(status);
}

/**
 * `@ai-sdk/anthropic` throws a plain Error with this message when the first event of a 200 stream is not
 * valid JSON (it drops the parse error), so this message is the only sign of a non-Messages body.
 */
function isUnnormalizedStreamError(error: unknown): boolean {
  return error instanceof Error && /^Expected a normalized \w+ stream error$/.test(error.message);
}

function unreachableMessage(endpoint: ProviderEndpoint, reason: string | undefined): string {
  return (
    `could not reach ${endpoint.provider} at ${endpoint.baseUrl}${reason ? ` (${reason})` : ''}: ` +
    `check ${endpoint.baseUrlVariable} and that the server is running`
  );
}

/** Finds a socket error code (`ECONNREFUSED`) anywhere on the cause chain. */
export function networkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
    // AggregateError (happy-eyeballs tries IPv4 and IPv6) keeps the real errors in `errors`.
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner)) {
      for (const item of inner) {
        const innerCode = networkCode(item);
        if (innerCode) return innerCode;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The provider's own explanation from an error body: OpenAI and Anthropic both use `{ error: { message } }`. */
function detailFromBody(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as { error?: unknown; message?: unknown; detail?: unknown };
    const nested =
      typeof record.error === 'object' && record.error !== null ? (record.error as { message?: unknown }) : undefined;
    const candidate =
      nested?.message ??
      (typeof record.error === 'string' ? record.error : undefined) ??
      record.message ??
      record.detail;
    return typeof candidate === 'string' && candidate.trim() ? oneLine(candidate) : undefined;
  } catch {
    // Not JSON (an HTML error page, a proxy's plain text): the status line says enough.
    return undefined;
  }
}

function detailFromMessage(message: string): string | undefined {
  // The SDK falls back to the HTTP reason phrase when the body is not JSON; that repeats the status label.
  const line = oneLine(message);
  return line && !Object.values(STATUS_CODES).includes(line) ? line : undefined;
}

function asStreamError(error: unknown): { message: string; statusCode?: number } | undefined {
  if (typeof error !== 'object' || error === null || error instanceof Error) return undefined;
  const { message, statusCode } = error as { message?: unknown; statusCode?: unknown };
  if (typeof message !== 'string') return undefined;
  return typeof statusCode === 'number' ? { message, statusCode } : { message };
}

/** Collapses whitespace so a multi-line provider message cannot break the one-line contract. */
function oneLine(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > MAX_DETAIL_CHARS ? `${collapsed.slice(0, MAX_DETAIL_CHARS - 1)}…` : collapsed;
}
