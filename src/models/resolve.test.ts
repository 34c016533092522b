import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../shared/errors.js';
import { AiSdkModel } from './ai-sdk/ai-sdk-model.js';
import { OfflineModel } from './offline/index.js';
import { defaultModelId, resolveModel } from './resolve.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('defaultModelId', () => {
  it('prefers OpenAI, then Anthropic, then offline', () => {
    expect(defaultModelId({ OPENAI_API_KEY: 'sk', ANTHROPIC_API_KEY: 'ak' })).toBe('openai:gpt-4.1-mini');
    expect(defaultModelId({ ANTHROPIC_API_KEY: 'ak' })).toBe('anthropic:claude-sonnet-4-5');
    expect(defaultModelId({})).toBe('offline');
  });

  it('treats an empty key as unset', () => {
    expect(defaultModelId({ OPENAI_API_KEY: '  ', ANTHROPIC_API_KEY: '' })).toBe('offline');
  });
});

describe('resolveModel', () => {
  it.each([
    ['openai:gpt-4.1-mini', { OPENAI_API_KEY: 'sk' }, 'openai', 'gpt-4.1-mini'],
    ['anthropic:claude-sonnet-4-5', { ANTHROPIC_API_KEY: 'ak' }, 'anthropic', 'claude-sonnet-4-5'],
    ['ollama:qwen2.5', {}, 'ollama', 'qwen2.5'],
    ['compat:llama-3.1-8b', { OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' }, 'compat', 'llama-3.1-8b'],
    // Model names may contain colons (Ollama tags).
    ['ollama:qwen2.5:7b', {}, 'ollama', 'qwen2.5:7b'],
  ])('builds %s', (id, env, provider, modelName) => {
    const model = resolveModel(id, env);
    expect(model).toBeInstanceOf(AiSdkModel);
    expect([model.id, model.provider, model.modelName]).toEqual([id, provider, modelName]);
  });

  it('returns the offline planner for "offline", needing no key', () => {
    expect(resolveModel('offline', {})).toBeInstanceOf(OfflineModel);
  });

  it('lists the valid forms for an unknown provider', () => {
    expect(usageError(() => resolveModel('foo:bar', {})).message).toBe(
      'unknown provider "foo" in model id "foo:bar": use openai:<model>, anthropic:<model>, ollama:<model>, compat:<model> or offline',
    );
    expect(usageError(() => resolveModel('gpt-4.1-mini', {})).message).toBe(
      'model id "gpt-4.1-mini" has no provider: use openai:<model>, anthropic:<model>, ollama:<model>, compat:<model> or offline',
    );
  });

  it('asks for a model name after the provider', () => {
    expect(usageError(() => resolveModel('openai:', { OPENAI_API_KEY: 'sk' })).message).toBe(
      'model id "openai:" names no model: use openai:<model>, e.g. openai:gpt-4.1-mini',
    );
  });

  it.each([
    ['openai:gpt-4.1-mini', 'OPENAI_API_KEY'],
    ['anthropic:claude-sonnet-4-5', 'ANTHROPIC_API_KEY'],
  ])('says which key %s needs', (id, variable) => {
    expect(usageError(() => resolveModel(id, {})).message).toBe(
      `${id} needs ${variable} (set it in the environment or .env), or use --model offline`,
    );
  });

  it('reads only the env object it is given, never process.env', () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-process-env');
    expect(() => resolveModel('openai:gpt-4.1-mini', {})).toThrow(UsageError);
  });

  it('requires OPENAI_BASE_URL for compat:, but no key', () => {
    expect(usageError(() => resolveModel('compat:llama', { OPENAI_API_KEY: 'sk' })).message).toBe(
      'compat:llama needs OPENAI_BASE_URL, the base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1); set it in the environment or .env, or use --model offline',
    );
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(
      usageError(() => resolveModel('openai:gpt-4.1-mini', { OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: 'localhost:8000' }))
        .message,
    ).toBe('OPENAI_BASE_URL is not an http(s) URL: "localhost:8000" (expected e.g. http://127.0.0.1:8000/v1)');
  });
});
