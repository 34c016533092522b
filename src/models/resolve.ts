import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { UsageError } from '../shared/errors.js';
import { AiSdkModel } from './ai-sdk/ai-sdk-model.js';
import type { LanguageModelV4 } from './ai-sdk/v4-types.js';
import { OfflineModel } from './offline/index.js';
import type { ProviderEndpoint } from './provider-errors.js';
import type { Model } from './types.js';

/**
 * The provider settings Deckhand reads. Passed in as a plain object (the CLI builds it from the
 * environment and `.env`), so nothing here reads `process.env`. Empty strings count as unset.
 */
export interface ProviderEnv {
  readonly OPENAI_API_KEY?: string | undefined;
  readonly OPENAI_BASE_URL?: string | undefined;
  readonly ANTHROPIC_API_KEY?: string | undefined;
  readonly ANTHROPIC_BASE_URL?: string | undefined;
  readonly OLLAMA_BASE_URL?: string | undefined;
}

/** The model used when `OPENAI_API_KEY` is set and no model was chosen. */
export const DEFAULT_OPENAI_MODEL_ID = 'openai:gpt-4.1-mini';
/** The model used when only `ANTHROPIC_API_KEY` is set and no model was chosen. */
export const DEFAULT_ANTHROPIC_MODEL_ID = 'anthropic:claude-sonnet-4-5';
/** The built-in planner: no network, no key. */
export const OFFLINE_MODEL_ID = 'offline';

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com/v1';
const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';
const CHAT_COMPLETIONS_SHAPE = 'an OpenAI-compatible /v1 base (the URL before /chat/completions)';
const VALID_FORMS = 'openai:<model>, anthropic:<model>, ollama:<model>, compat:<model> or offline';

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
 * Builds the model for a `provider:model` id: `openai:` (Chat Completions API), `anthropic:` (Messages API),
 * `ollama:` (its OpenAI-compatible API at `OLLAMA_BASE_URL`, default `http://127.0.0.1:11434/v1`),
 * `compat:` (any OpenAI-compatible API at `OPENAI_BASE_URL`, key optional) or `offline`.
 * A base URL given as a bare origin (`http://host:8000`) gets `/v1` appended, as the official SDKs do.
 * Makes no network call.
 *
 * @throws UsageError (exit code 2) for an unknown provider, a missing model name, a missing API key,
 *   `compat:` without `OPENAI_BASE_URL`, or a base URL that is not an http(s) URL.
 */
export function resolveModel(modelId: string, env: ProviderEnv): Model {
  const id = modelId.trim();
  if (id === OFFLINE_MODEL_ID) return new OfflineModel();
  const separator = id.indexOf(':');
  if (separator < 0) {
    throw new UsageError(`model id "${id}" has no provider: use ${VALID_FORMS}`);
  }
  const provider = id.slice(0, separator);
  const modelName = id.slice(separator + 1).trim();
  if (!['openai', 'anthropic', 'ollama', 'compat'].includes(provider)) {
    throw new UsageError(`unknown provider "${provider}" in model id "${id}": use ${VALID_FORMS}`);
  }
  if (modelName === '') {
    throw new UsageError(`model id "${id}" names no model: use ${provider}:<model>, e.g. ${example(provider)}`);
  }
  switch (provider) {
    case 'openai':
      return openaiModel(id, modelName, env);
    case 'anthropic':
      return anthropicModel(id, modelName, env);
    case 'ollama':
      return ollamaModel(id, modelName, env);
    default:
      return compatModel(id, modelName, env);
  }
}

function openaiModel(id: string, modelName: string, env: ProviderEnv): Model {
  const apiKey = requireKey(id, 'OPENAI_API_KEY', env.OPENAI_API_KEY);
  const baseUrl = baseUrlSetting('OPENAI_BASE_URL', env.OPENAI_BASE_URL) ?? OPENAI_DEFAULT_BASE_URL;
  // `.chat()`: gateways, vLLM, LM Studio and our wire fake speak Chat Completions, not the Responses API.
  const languageModel = createOpenAI({ apiKey, baseURL: baseUrl }).chat(modelName);
  return model(languageModel, {
    provider: 'openai',
    modelId: id,
    modelName,
    baseUrl,
    apiKeyVariable: 'OPENAI_API_KEY',
    baseUrlVariable: 'OPENAI_BASE_URL',
    wireFormat: 'Chat Completions',
    baseUrlShape: CHAT_COMPLETIONS_SHAPE,
  });
}

function anthropicModel(id: string, modelName: string, env: ProviderEnv): Model {
  const apiKey = requireKey(id, 'ANTHROPIC_API_KEY', env.ANTHROPIC_API_KEY);
  // Always pass a base URL: left undefined, the SDK would read process.env itself.
  const baseUrl = baseUrlSetting('ANTHROPIC_BASE_URL', env.ANTHROPIC_BASE_URL) ?? ANTHROPIC_DEFAULT_BASE_URL;
  const languageModel = createAnthropic({ apiKey, baseURL: baseUrl }).messages(modelName);
  return model(languageModel, {
    provider: 'anthropic',
    modelId: id,
    modelName,
    baseUrl,
    apiKeyVariable: 'ANTHROPIC_API_KEY',
    baseUrlVariable: 'ANTHROPIC_BASE_URL',
    wireFormat: 'Messages',
    baseUrlShape: 'an Anthropic Messages API base ending in /v1 (the URL before /messages)',
  });
}

function ollamaModel(id: string, modelName: string, env: ProviderEnv): Model {
  const baseUrl = baseUrlSetting('OLLAMA_BASE_URL', env.OLLAMA_BASE_URL) ?? OLLAMA_DEFAULT_BASE_URL;
  // Without includeUsage, OpenAI-compatible servers send no token counts in a stream.
  const languageModel = createOpenAICompatible({ name: 'ollama', baseURL: baseUrl, includeUsage: true }).chatModel(
    modelName,
  );
  return model(languageModel, {
    provider: 'ollama',
    modelId: id,
    modelName,
    baseUrl,
    baseUrlVariable: 'OLLAMA_BASE_URL',
    wireFormat: 'Chat Completions',
    baseUrlShape: `${CHAT_COMPLETIONS_SHAPE}, e.g. ${OLLAMA_DEFAULT_BASE_URL}`,
  });
}

function compatModel(id: string, modelName: string, env: ProviderEnv): Model {
  const baseUrl = baseUrlSetting('OPENAI_BASE_URL', env.OPENAI_BASE_URL);
  if (!baseUrl) {
    throw new UsageError(
      `${id} needs OPENAI_BASE_URL, the base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1); ` +
        'set it in the environment or .env, or use --model offline',
    );
  }
  const apiKey = setting(env.OPENAI_API_KEY);
  const languageModel = createOpenAICompatible({
    name: 'compat',
    baseURL: baseUrl,
    includeUsage: true,
    ...(apiKey ? { apiKey } : {}),
  }).chatModel(modelName);
  return model(languageModel, {
    provider: 'compat',
    modelId: id,
    modelName,
    baseUrl,
    apiKeyVariable: 'OPENAI_API_KEY',
    baseUrlVariable: 'OPENAI_BASE_URL',
    wireFormat: 'Chat Completions',
    baseUrlShape: CHAT_COMPLETIONS_SHAPE,
  });
}

function model(languageModel: LanguageModelV4, endpoint: ProviderEndpoint): Model {
  return new AiSdkModel({ languageModel, endpoint });
}

function requireKey(id: string, variable: string, value: string | undefined): string {
  const key = setting(value);
  if (!key) throw new UsageError(`${id} needs ${variable} (set it in the environment or .env), or use --model offline`);
  return key;
}

/** Validates a base URL setting; strips a trailing slash and gives a bare origin the conventional `/v1`. */
function baseUrlSetting(variable: string, value: string | undefined): string | undefined {
  const raw = setting(value);
  if (!raw) return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${variable} is not an http(s) URL: "${raw}" (expected e.g. http://127.0.0.1:8000/v1)`);
  }
  const trimmed = raw.replace(/\/+$/, '');
  return url.pathname === '/' && !url.search ? `${trimmed}/v1` : trimmed;
}

function setting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function example(provider: string): string {
  if (provider === 'openai') return DEFAULT_OPENAI_MODEL_ID;
  if (provider === 'anthropic') return DEFAULT_ANTHROPIC_MODEL_ID;
  if (provider === 'ollama') return 'ollama:qwen2.5';
  return 'compat:llama-3.1-8b';
}
