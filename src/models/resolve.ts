import { UsageError } from '../shared/errors.js';
import { getOwn } from '../shared/get-own.js';
import { AiSdkModel } from './ai-sdk/ai-sdk-model.js';
import { OfflineModel } from './offline/index.js';
import type { ProviderEnv, ProviderRequest, ProvidersSettings, ResolvedProvider } from './provider-settings.js';
import { setting } from './provider-settings.js';
import { anthropicProvider } from './providers/anthropic.js';
import { bedrockProvider } from './providers/bedrock.js';
import { googleProvider, vertexProvider } from './providers/google.js';
import { azureProvider, compatProvider, ollamaProvider, openaiProvider } from './providers/openai.js';
import type { Model } from './types.js';

export type { ProviderEnv, ProviderSettings, ProvidersSettings } from './provider-settings.js';

/** The model used when `OPENAI_API_KEY` is set and no model was chosen. */
export const DEFAULT_OPENAI_MODEL_ID = 'openai:gpt-4.1-mini';
/** The model used when only `ANTHROPIC_API_KEY` is set and no model was chosen. */
export const DEFAULT_ANTHROPIC_MODEL_ID = 'anthropic:claude-sonnet-4-5';
/** The built-in planner: no network, no key. */
export const OFFLINE_MODEL_ID = 'offline';

/** Every provider prefix, with an example id (used in errors and the README's table). */
export const PROVIDER_EXAMPLES: Readonly<Record<string, string>> = {
  openai: DEFAULT_OPENAI_MODEL_ID,
  'openai-chat': 'openai-chat:gpt-4.1-mini',
  anthropic: DEFAULT_ANTHROPIC_MODEL_ID,
  google: 'google:gemini-2.5-flash',
  vertex: 'vertex:gemini-2.5-flash',
  azure: 'azure:my-gpt-4.1-deployment',
  bedrock: 'bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0',
  ollama: 'ollama:qwen2.5',
  compat: 'compat:llama-3.1-8b',
};

const FACTORIES: Readonly<Record<string, (request: ProviderRequest) => ResolvedProvider>> = {
  openai: (request) => openaiProvider(request, { chat: false }),
  // `openai-chat:` shares `providers.openai`: it is the same provider over its older API.
  'openai-chat': (request) => openaiProvider(request, { chat: true }),
  anthropic: anthropicProvider,
  google: googleProvider,
  vertex: vertexProvider,
  azure: azureProvider,
  bedrock: bedrockProvider,
  ollama: ollamaProvider,
  compat: compatProvider,
};

const VALID_FORMS = `${Object.keys(FACTORIES)
  .map((provider) => `${provider}:<model>`)
  .join(', ')} or offline`;

/**
 * The model to use when none was chosen (DESIGN.md): `openai:gpt-4.1-mini` when `OPENAI_API_KEY` is set,
 * else `anthropic:claude-sonnet-4-5` when `ANTHROPIC_API_KEY` is set, else `offline`.
 */
export function defaultModelId(env: ProviderEnv): string {
  if (setting(env.OPENAI_API_KEY)) return DEFAULT_OPENAI_MODEL_ID;
  if (setting(env.ANTHROPIC_API_KEY)) return DEFAULT_ANTHROPIC_MODEL_ID;
  return OFFLINE_MODEL_ID;
}

/**
 * Builds the model for a `provider:model` id: `openai:` (the Responses API), `openai-chat:` (Chat Completions),
 * `anthropic:` (Messages API), `google:` (Gemini API), `vertex:` (Gemini on Vertex AI), `azure:` (an Azure OpenAI
 * deployment), `bedrock:` (Amazon Bedrock Converse), `ollama:` (its OpenAI-compatible API at `OLLAMA_BASE_URL`),
 * `compat:` (any OpenAI-compatible API at `providers.compat.baseURL`, else `OPENAI_BASE_URL`) or `offline`.
 * `providers` holds the `deckhand.json` entries (base URL, headers, `apiKeyEnv`…). A base URL given as a bare origin
 * (`http://host:8000`) gets the provider's version path appended, as the official SDKs do. Makes no network call and
 * imports no provider package: that happens on the model's first request.
 *
 * @throws UsageError (exit code 2) for an unknown provider, a missing model name, a missing API key or credential,
 *   `compat:` without a base URL, or a base URL that is not an http(s) URL.
 */
export function resolveModel(modelId: string, env: ProviderEnv, providers: ProvidersSettings = {}): Model {
  const id = modelId.trim();
  if (id === OFFLINE_MODEL_ID) return new OfflineModel();
  const separator = id.indexOf(':');
  if (separator < 0) {
    throw new UsageError(`model id "${id}" has no provider: use ${VALID_FORMS}`);
  }
  const provider = id.slice(0, separator);
  const modelName = id.slice(separator + 1).trim();
  const factory = getOwn(FACTORIES, provider);
  if (!factory) {
    throw new UsageError(`unknown provider "${provider}" in model id "${id}": use ${VALID_FORMS}`);
  }
  if (modelName === '') {
    throw new UsageError(`model id "${id}" names no model: use ${provider}:<model>, e.g. ${PROVIDER_EXAMPLES[provider]}`);
  }
  const settingsKey = provider === 'openai-chat' ? 'openai' : provider;
  const { endpoint, load } = factory({ id, modelName, env, settings: getOwn(providers, settingsKey) ?? {} });
  return new AiSdkModel({ languageModel: load, endpoint });
}
