/** @module `anthropic:<model>`: the Anthropic Messages API, imported on the first request. */
import { chooseBaseUrl, headersOf, type ProviderRequest, requireKey, type ResolvedProvider } from '../provider-settings.js';

const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com/v1';

/** `anthropic:<model>`, key in `ANTHROPIC_API_KEY`, base URL `ANTHROPIC_BASE_URL` or `providers.anthropic.baseURL`. */
export function anthropicProvider(request: ProviderRequest): ResolvedProvider {
  const { key, variable } = requireKey(request, 'ANTHROPIC_API_KEY');
  const chosen = chooseBaseUrl({ provider: 'anthropic', env: request.env, settings: request.settings, variable: 'ANTHROPIC_BASE_URL' });
  // Always pass a base URL: left undefined, the SDK would read process.env itself.
  const baseUrl = chosen?.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL;
  return {
    endpoint: {
      provider: 'anthropic',
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      apiKeyVariable: variable,
      baseUrlVariable: chosen?.source ?? 'ANTHROPIC_BASE_URL',
      wireFormat: 'Messages',
      baseUrlShape: 'an Anthropic Messages API base ending in /v1 (the URL before /messages)',
    },
    load: async () => {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ apiKey: key, baseURL: baseUrl, ...headersOf(request.settings) }).messages(request.modelName);
    },
  };
}
