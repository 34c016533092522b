/**
 * @module `google:<model>` (the Gemini API, `generateContent` / `streamGenerateContent`) and `vertex:<model>` (Gemini
 * on Vertex AI: an express-mode API key, or Google Cloud credentials for a project and location). Both packages are
 * imported on the first request.
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

const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';
const VERTEX_EXPRESS_BASE_URL = 'https://aiplatform.googleapis.com/v1/publishers/google';
const GEMINI_SHAPE = 'a Gemini API base ending in /v1beta (the URL before /models/<model>:streamGenerateContent)';

/** `google:<model>`, key in `GOOGLE_GENERATIVE_AI_API_KEY` (or the variable `providers.google.apiKeyEnv` names). */
export function googleProvider(request: ProviderRequest): ResolvedProvider {
  const { key, variable } = requireKey(request, 'GOOGLE_GENERATIVE_AI_API_KEY');
  const chosen = chooseBaseUrl({ provider: 'google', env: request.env, settings: request.settings, versionPath: '/v1beta' });
  const baseUrl = chosen?.baseUrl ?? GEMINI_DEFAULT_BASE_URL;
  return {
    endpoint: {
      provider: 'google',
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      apiKeyVariable: variable,
      baseUrlVariable: chosen?.source ?? 'providers.google.baseURL',
      wireFormat: 'Gemini generateContent',
      baseUrlShape: GEMINI_SHAPE,
    },
    load: async () => {
      const { createGoogle } = await import('@ai-sdk/google');
      return createGoogle({ apiKey: key, baseURL: baseUrl, ...headersOf(request.settings) }).languageModel(request.modelName);
    },
  };
}

/**
 * `vertex:<model>`: with `GOOGLE_VERTEX_API_KEY`, Vertex express mode; without, Google Cloud application default
 * credentials for `GOOGLE_VERTEX_PROJECT` in `GOOGLE_VERTEX_LOCATION` (or `providers.vertex.project` / `location`).
 */
export function vertexProvider(request: ProviderRequest): ResolvedProvider {
  const { env, settings } = request;
  const { key, variable } = apiKeyOf(request, 'GOOGLE_VERTEX_API_KEY');
  const chosen = chooseBaseUrl({ provider: 'vertex', env, settings });
  const project = settings.project ?? setting(env.GOOGLE_VERTEX_PROJECT);
  const location = settings.location ?? setting(env.GOOGLE_VERTEX_LOCATION);
  if (!key && (!project || !location)) {
    throw new UsageError(
      `${request.id} needs GOOGLE_VERTEX_API_KEY (express mode), or GOOGLE_VERTEX_PROJECT and GOOGLE_VERTEX_LOCATION ` +
        'with Google Cloud credentials (gcloud auth application-default login); or use --model offline',
    );
  }
  if (location !== undefined && !/^[a-z0-9-]+$/i.test(location)) {
    throw new UsageError(`GOOGLE_VERTEX_LOCATION is not a Google Cloud location: "${location}" (expected e.g. us-central1 or global)`);
  }
  const host = location === 'global' ? 'aiplatform.googleapis.com' : `${location}-aiplatform.googleapis.com`;
  const baseUrl =
    chosen?.baseUrl ?? (key ? VERTEX_EXPRESS_BASE_URL : `https://${host}/v1beta1/projects/${project}/locations/${location}/publishers/google`);
  return {
    endpoint: {
      provider: 'vertex',
      modelId: request.id,
      modelName: request.modelName,
      baseUrl,
      ...(key ? { apiKeyVariable: variable } : {}),
      baseUrlVariable: chosen?.source ?? (key ? 'providers.vertex.baseURL' : 'GOOGLE_VERTEX_LOCATION'),
      wireFormat: 'Gemini generateContent',
      baseUrlShape: 'a Vertex AI base ending in /publishers/google',
    },
    load: async () => {
      const { createVertex } = await import('@ai-sdk/google-vertex');
      // Every setting passed explicitly: left out, the SDK would read GOOGLE_VERTEX_* from process.env.
      return createVertex({
        baseURL: baseUrl,
        ...(key ? { apiKey: key } : {}),
        ...(project ? { project } : {}),
        ...(location ? { location } : {}),
        ...headersOf(settings),
      }).languageModel(request.modelName);
    },
  };
}
