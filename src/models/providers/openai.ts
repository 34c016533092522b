/**
 * @module The OpenAI-shaped providers: `openai:` (Responses API by default), `openai-chat:` (Chat Completions),
 * `azure:` (Azure OpenAI deployments), `ollama:` and `compat:` (any OpenAI-compatible Chat Completions API).
 * Each package is imported on the first request, so a run that never uses one never loads it.
 */
import { UsageError } from '../../shared/errors.js';
import {
  apiKeyOf,
  chooseBaseUrl,
  headersOf,
  type ProviderRequest,
  requireKey,
  type ResolvedProvider,
  setting,
} from '../provider-settings.js';

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';
const CHAT_COMPLETIONS_SHAPE = 'an OpenAI-compatible /v1 base (the URL before /chat/completions)';
const RESPONSES_SHAPE = 'an OpenAI /v1 base (the URL before /responses)';

/**
 * `openai:<model>` (the Responses API, or Chat Completions with `providers.openai.api: "chat"`) and
 * `openai-chat:<model>` (always Chat Completions, for gateways that speak only that).
 */
export function openaiProvider(request: ProviderRequest, options: { chat: boolean }): ResolvedProvider {
  const { key, variable } = requireKey(request, 'OPENAI_API_KEY');
  const chosen = chooseBaseUrl({ provider: 'openai', env: request.env, settings: request.settings, variable: 'OPENAI_BASE_URL' });
  const baseUrl = chosen?.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  const chat = options.chat || request.settings.api === 'chat';
  return {
    endpoint: {
      provider: 'openai',
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      apiKeyVariable: variable,
      baseUrlVariable: chosen?.source ?? 'OPENAI_BASE_URL',
      wireFormat: chat ? 'Chat Completions' : 'Responses',
      baseUrlShape: chat ? CHAT_COMPLETIONS_SHAPE : RESPONSES_SHAPE,
    },
    load: async () => {
      const { createOpenAI } = await import('@ai-sdk/openai');
      const provider = createOpenAI({ apiKey: key, baseURL: baseUrl, ...headersOf(request.settings) });
      return chat ? provider.chat(request.modelName) : provider.responses(request.modelName);
    },
  };
}

/**
 * `azure:<deployment>`: an Azure OpenAI deployment at `https://<AZURE_RESOURCE_NAME>.openai.azure.com/openai/v1`
 * (or `providers.azure.baseURL`), key in `AZURE_API_KEY`; Responses API unless `providers.azure.api` is `chat`.
 */
export function azureProvider(request: ProviderRequest): ResolvedProvider {
  const { key, variable } = requireKey(request, 'AZURE_API_KEY');
  const { env, settings } = request;
  const chosen = chooseBaseUrl({ provider: 'azure', env, settings });
  const resourceName = settings.resourceName ?? env.AZURE_RESOURCE_NAME?.trim();
  if (!chosen && !resourceName) {
    throw new UsageError(
      `${request.id} needs AZURE_RESOURCE_NAME (the <name> of https://<name>.openai.azure.com) or providers.azure.baseURL in deckhand.json`,
    );
  }
  const baseUrl = chosen?.baseUrl ?? `https://${resourceName}.openai.azure.com/openai/v1`;
  const chat = settings.api === 'chat';
  return {
    endpoint: {
      provider: 'azure',
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      apiKeyVariable: variable,
      baseUrlVariable: chosen?.source ?? 'AZURE_RESOURCE_NAME',
      wireFormat: chat ? 'Chat Completions' : 'Responses',
      baseUrlShape: 'an Azure OpenAI base ending in /openai/v1 (https://<resource>.openai.azure.com/openai/v1)',
    },
    load: async () => {
      const { createAzure } = await import('@ai-sdk/azure');
      const provider = createAzure({
        apiKey: key,
        // Always a base URL: given only a resource name, the SDK would still read AZURE_* from process.env.
        baseURL: baseUrl,
        ...(settings.apiVersion ? { apiVersion: settings.apiVersion } : {}),
        ...headersOf(settings),
      });
      return chat ? provider.chat(request.modelName) : provider.responses(request.modelName);
    },
  };
}

/** `ollama:<model>`: Ollama's OpenAI-compatible API at `OLLAMA_BASE_URL` (default `http://127.0.0.1:11434/v1`). */
export function ollamaProvider(request: ProviderRequest): ResolvedProvider {
  const chosen = chooseBaseUrl({ provider: 'ollama', env: request.env, settings: request.settings, variable: 'OLLAMA_BASE_URL' });
  const baseUrl = chosen?.baseUrl ?? OLLAMA_DEFAULT_BASE_URL;
  const { key } = apiKeyOf(request, 'OLLAMA_API_KEY');
  return compatible(request, {
    provider: 'ollama',
    baseUrl,
    baseUrlVariable: chosen?.source ?? 'OLLAMA_BASE_URL',
    baseUrlShape: `${CHAT_COMPLETIONS_SHAPE}, e.g. ${OLLAMA_DEFAULT_BASE_URL}`,
    ...(key && request.settings.apiKeyEnv ? { apiKey: key, apiKeyVariable: request.settings.apiKeyEnv } : {}),
  });
}

/**
 * `compat:<model>`: any OpenAI-compatible Chat Completions API. Its own `providers.compat` entry (base URL, headers,
 * `apiKeyEnv`) when there is one; otherwise, as before that setting existed, `OPENAI_BASE_URL` and `OPENAI_API_KEY`.
 */
export function compatProvider(request: ProviderRequest): ResolvedProvider {
  const { env, settings } = request;
  const own = chooseBaseUrl({ provider: 'compat', env, settings });
  const chosen = own ?? chooseBaseUrl({ provider: 'compat', env, settings: {}, variable: 'OPENAI_BASE_URL' });
  if (!chosen) {
    throw new UsageError(
      `${request.id} needs a base URL: providers.compat.baseURL in deckhand.json or OPENAI_BASE_URL, the base of an ` +
        'OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1); or use --model offline',
    );
  }
  // With its own settings, compat takes a key only from the variable they name: the OpenAI key is not the gateway's.
  const keyVariable = settings.apiKeyEnv ?? (own ? undefined : 'OPENAI_API_KEY');
  const key = keyVariable ? setting(env[keyVariable]) : undefined;
  if (settings.apiKeyEnv && !key) {
    throw new UsageError(`${request.id} needs ${settings.apiKeyEnv} (named by providers.compat.apiKeyEnv; set it in the environment or .env)`);
  }
  return compatible(request, {
    provider: 'compat',
    baseUrl: chosen.baseUrl,
    baseUrlVariable: chosen.source,
    baseUrlShape: CHAT_COMPLETIONS_SHAPE,
    ...(key && keyVariable ? { apiKey: key, apiKeyVariable: keyVariable } : {}),
    ...(!key && keyVariable ? { apiKeyVariable: keyVariable } : {}),
  });
}

function compatible(
  request: ProviderRequest,
  options: { provider: string; baseUrl: string; baseUrlVariable: string; baseUrlShape: string; apiKey?: string; apiKeyVariable?: string },
): ResolvedProvider {
  const { provider, baseUrl, apiKey } = options;
  return {
    endpoint: {
      provider,
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      ...(options.apiKeyVariable ? { apiKeyVariable: options.apiKeyVariable } : {}),
      baseUrlVariable: options.baseUrlVariable,
      wireFormat: 'Chat Completions',
      baseUrlShape: options.baseUrlShape,
    },
    load: async () => {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      // Without includeUsage, OpenAI-compatible servers send no token counts in a stream.
      return createOpenAICompatible({
        name: provider,
        baseURL: baseUrl,
        includeUsage: true,
        ...(apiKey ? { apiKey } : {}),
        ...headersOf(request.settings),
      }).chatModel(request.modelName);
    },
  };
}
