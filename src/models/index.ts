/**
 * @module The provider layer: the `Model` interface the agent loop drives, the providers behind it
 * (OpenAI, Anthropic, Ollama, any OpenAI-compatible API, the offline planner) and pricing.
 * Test fakes live in `./testing/` and are not exported here.
 */
export { AiSdkModel, type AiSdkModelOptions } from './ai-sdk/ai-sdk-model.js';
export { OfflineModel } from './offline/index.js';
export { FallbackModel, type FallbackModelOptions, isOutage } from './fallback-model.js';
export { loadPriceRegistry } from './price-registry.js';
export { costOf, findPrice, type ModelPrice, PriceBook, type PriceQuote, type PriceTable } from './pricing.js';
export { DEFAULT_MODEL_TIMEOUT_MS, ModelTimeoutError, ResilientModel, type ResilientModelOptions } from './resilient-model.js';
export { isTransient, retryAfterMs } from './retry-policy.js';
export { loadPromptCounter, type PromptCounter, promptCounter } from './token-count.js';
export { malformedResponseError, type ProviderEndpoint, toProviderError } from './provider-errors.js';
export {
  DEFAULT_ANTHROPIC_MODEL_ID,
  DEFAULT_OPENAI_MODEL_ID,
  defaultModelId,
  OFFLINE_MODEL_ID,
  type ProviderEnv,
  resolveModel,
} from './resolve.js';
export type {
  AnsweringModel,
  Model,
  ModelMessage,
  ModelNotice,
  ModelPart,
  ModelRequest,
  ModelStreamOptions,
  ToolCall,
  ToolResultPart,
} from './types.js';
