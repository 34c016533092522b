/**
 * @module Default context windows, in tokens, for when `compaction.contextWindowTokens` is not configured.
 */
import type { Model } from './types.js';

/** For a provider or model this table does not know. */
export const DEFAULT_CONTEXT_WINDOW_TOKENS = 32_000;

/**
 * First match wins: `[provider, model-name pattern, tokens]`. Deliberately conservative: gpt-4.1 accepts about
 * a million tokens, but requests that long are slow and costly, so compaction starts at the 128k of the gpt-4o
 * generation; raise `compaction.contextWindowTokens` to use more. Ollama and OpenAI-compatible servers load models
 * with whatever context the server was started with, so 32k is a guess that suits most of today's local models.
 * The offline planner reads nothing like a model does; its small window keeps compaction exercised offline.
 */
const CONTEXT_WINDOWS: ReadonlyArray<readonly [provider: string, model: RegExp, tokens: number]> = [
  ['openai', /^(?:gpt-5|o[134])/, 200_000],
  ['openai', /./, 128_000],
  ['anthropic', /./, 200_000],
  // Gemini models take a million tokens; 200k keeps requests as affordable as the others'.
  ['google', /^gemini/, 200_000],
  ['vertex', /^gemini/, 200_000],
  ['azure', /./, 128_000],
  ['bedrock', /anthropic\.claude/, 200_000],
  ['ollama', /./, 32_000],
  ['compat', /./, 32_000],
  ['offline', /./, 8_000],
];

/** The context window to assume for a model, in tokens (see the table above); never throws. */
export function contextWindowOf(model: Pick<Model, 'provider' | 'modelName'>): number {
  const entry = CONTEXT_WINDOWS.find(
    ([provider, pattern]) => provider === model.provider && pattern.test(model.modelName),
  );
  return entry?.[2] ?? DEFAULT_CONTEXT_WINDOW_TOKENS;
}
