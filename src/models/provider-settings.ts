/**
 * @module What a provider is built from: the environment variables Deckhand reads (passed in, never read from
 * `process.env` here), the per-provider `providers` settings of `deckhand.json`, and the checks every provider
 * shares (a key that must be set, a base URL that must be http(s)).
 */
import { UsageError } from '../shared/errors.js';
import type { LanguageModelV4 } from './ai-sdk/v4-types.js';
import type { ProviderEndpoint } from './provider-errors.js';

/**
 * The provider variables Deckhand reads. The CLI builds it from the environment and `.env`; it also carries the
 * variables that `providers.<name>.apiKeyEnv` names. Empty strings count as unset.
 */
export interface ProviderEnv {
  readonly OPENAI_API_KEY?: string | undefined;
  readonly OPENAI_BASE_URL?: string | undefined;
  readonly ANTHROPIC_API_KEY?: string | undefined;
  readonly ANTHROPIC_BASE_URL?: string | undefined;
  readonly OLLAMA_BASE_URL?: string | undefined;
  readonly GOOGLE_GENERATIVE_AI_API_KEY?: string | undefined;
  readonly GOOGLE_VERTEX_API_KEY?: string | undefined;
  readonly GOOGLE_VERTEX_PROJECT?: string | undefined;
  readonly GOOGLE_VERTEX_LOCATION?: string | undefined;
  readonly AZURE_API_KEY?: string | undefined;
  readonly AZURE_RESOURCE_NAME?: string | undefined;
  readonly AWS_REGION?: string | undefined;
  readonly AWS_ACCESS_KEY_ID?: string | undefined;
  readonly AWS_SECRET_ACCESS_KEY?: string | undefined;
  readonly AWS_SESSION_TOKEN?: string | undefined;
  readonly AWS_BEARER_TOKEN_BEDROCK?: string | undefined;
  readonly [variable: string]: string | undefined;
}

/** One entry of `providers` in `deckhand.json` (every field optional; which ones apply depends on the provider). */
export interface ProviderSettings {
  readonly baseURL?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** The variable that holds the API key, instead of the provider's usual one. */
  readonly apiKeyEnv?: string | undefined;
  /** OpenAI and Azure: `responses` (default) or `chat` (Chat Completions, for gateways). */
  readonly api?: 'responses' | 'chat' | undefined;
  readonly resourceName?: string | undefined;
  readonly apiVersion?: string | undefined;
  readonly region?: string | undefined;
  readonly project?: string | undefined;
  readonly location?: string | undefined;
}

/** `providers` of `deckhand.json`, keyed by provider prefix (`compat`, `google`…). */
export type ProvidersSettings = Readonly<Partial<Record<string, ProviderSettings>>>;

/** What resolving a model id produces: where its requests go, and how to load the provider model on first use. */
export interface ResolvedProvider {
  readonly endpoint: ProviderEndpoint;
  /** Imports the provider package and builds the model; called once, on the first request. */
  readonly load: () => Promise<LanguageModelV4>;
}

/** What a provider factory gets: the parsed id, the environment and its own `providers` entry. */
export interface ProviderRequest {
  /** The model id as written (`google:gemini-2.5-flash`). */
  readonly id: string;
  readonly modelName: string;
  readonly env: ProviderEnv;
  readonly settings: ProviderSettings;
}

/** A setting's value, trimmed; empty counts as unset. */
export function setting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * The API key: from `apiKeyEnv` when the provider's settings name one, else from the provider's usual variable.
 * Returns the variable it came from too, so errors can name it.
 */
export function apiKeyOf(request: ProviderRequest, variable: string): { key: string | undefined; variable: string } {
  const chosen = request.settings.apiKeyEnv ?? variable;
  return { key: setting(request.env[chosen]), variable: chosen };
}

/** Like {@link apiKeyOf}, but the key must be set. @throws UsageError naming the variable. */
export function requireKey(request: ProviderRequest, variable: string): { key: string; variable: string } {
  const found = apiKeyOf(request, variable);
  if (!found.key) {
    throw new UsageError(`${request.id} needs ${found.variable} (set it in the environment or .env), or use --model offline`);
  }
  return { key: found.key, variable: found.variable };
}

/**
 * Validates a base URL setting; strips a trailing slash and gives a bare origin the conventional version path
 * (`/v1`, or `/v1beta` for Gemini), as the official SDKs do.
 *
 * @throws UsageError when the value is not an http(s) URL.
 */
export function baseUrlSetting(name: string, value: string | undefined, versionPath = '/v1'): string | undefined {
  const raw = setting(value);
  if (!raw) return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${name} is not an http(s) URL: "${raw}" (expected e.g. http://127.0.0.1:8000${versionPath})`);
  }
  const trimmed = raw.replace(/\/+$/, '');
  return url.pathname === '/' && !url.search ? `${trimmed}${versionPath}` : trimmed;
}

/**
 * The base URL from the environment variable (which wins, as everywhere) or the `providers` entry, with the name
 * of the setting it came from; undefined when neither is set.
 */
export function chooseBaseUrl(options: {
  provider: string;
  env: ProviderEnv;
  settings: ProviderSettings;
  variable?: string;
  versionPath?: string;
}): { baseUrl: string; source: string } | undefined {
  const { provider, env, settings, variable, versionPath } = options;
  const fromEnv = variable ? baseUrlSetting(variable, env[variable], versionPath) : undefined;
  if (fromEnv && variable) return { baseUrl: fromEnv, source: variable };
  const source = `providers.${provider}.baseURL`;
  const fromConfig = baseUrlSetting(source, settings.baseURL, versionPath);
  return fromConfig ? { baseUrl: fromConfig, source } : undefined;
}

/** The `headers` of a `providers` entry as the AI SDK factories take them (absent when none). */
export function headersOf(settings: ProviderSettings): { headers?: Record<string, string> } {
  return settings.headers && Object.keys(settings.headers).length > 0 ? { headers: { ...settings.headers } } : {};
}
