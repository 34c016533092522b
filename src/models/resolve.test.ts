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
    ['openai-chat:gpt-4.1-mini', { OPENAI_API_KEY: 'sk' }, 'openai', 'gpt-4.1-mini'],
    ['google:gemini-2.5-flash', { GOOGLE_GENERATIVE_AI_API_KEY: 'gk' }, 'google', 'gemini-2.5-flash'],
    ['vertex:gemini-2.5-flash', { GOOGLE_VERTEX_API_KEY: 'vk' }, 'vertex', 'gemini-2.5-flash'],
    ['vertex:gemini-2.5-pro', { GOOGLE_VERTEX_PROJECT: 'acme', GOOGLE_VERTEX_LOCATION: 'us-central1' }, 'vertex', 'gemini-2.5-pro'],
    ['azure:my-deployment', { AZURE_API_KEY: 'az', AZURE_RESOURCE_NAME: 'acme' }, 'azure', 'my-deployment'],
    ['bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0', { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' }, 'bedrock', 'us.anthropic.claude-sonnet-4-20250514-v1:0'],
    ['bedrock:amazon.nova-pro-v1:0', { AWS_REGION: 'eu-west-1', AWS_BEARER_TOKEN_BEDROCK: 'bk' }, 'bedrock', 'amazon.nova-pro-v1:0'],
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
      'unknown provider "foo" in model id "foo:bar": use openai:<model>, openai-chat:<model>, anthropic:<model>, google:<model>, vertex:<model>, azure:<model>, bedrock:<model>, ollama:<model>, compat:<model> or offline',
    );
    expect(usageError(() => resolveModel('gpt-4.1-mini', {})).message).toBe(
      'model id "gpt-4.1-mini" has no provider: use openai:<model>, openai-chat:<model>, anthropic:<model>, google:<model>, vertex:<model>, azure:<model>, bedrock:<model>, ollama:<model>, compat:<model> or offline',
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

  it('requires a base URL for compat:, but no key', () => {
    expect(usageError(() => resolveModel('compat:llama', { OPENAI_API_KEY: 'sk' })).message).toBe(
      'compat:llama needs a base URL: providers.compat.baseURL in deckhand.json or OPENAI_BASE_URL, the base of an OpenAI-compatible API (e.g. http://127.0.0.1:8000/v1); or use --model offline',
    );
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(
      usageError(() => resolveModel('openai:gpt-4.1-mini', { OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: 'localhost:8000' }))
        .message,
    ).toBe('OPENAI_BASE_URL is not an http(s) URL: "localhost:8000" (expected e.g. http://127.0.0.1:8000/v1)');
  });

  it.each([
    ['google:gemini-2.5-flash', {}, 'google:gemini-2.5-flash needs GOOGLE_GENERATIVE_AI_API_KEY (set it in the environment or .env), or use --model offline'],
    [
      'vertex:gemini-2.5-flash',
      { GOOGLE_VERTEX_PROJECT: 'acme' },
      'vertex:gemini-2.5-flash needs GOOGLE_VERTEX_API_KEY (express mode), or GOOGLE_VERTEX_PROJECT and GOOGLE_VERTEX_LOCATION with Google Cloud credentials (gcloud auth application-default login); or use --model offline',
    ],
    ['azure:dep', { AZURE_RESOURCE_NAME: 'acme' }, 'azure:dep needs AZURE_API_KEY (set it in the environment or .env), or use --model offline'],
    [
      'azure:dep',
      { AZURE_API_KEY: 'az' },
      'azure:dep needs AZURE_RESOURCE_NAME (the <name> of https://<name>.openai.azure.com) or providers.azure.baseURL in deckhand.json',
    ],
    ['bedrock:amazon.nova-pro-v1:0', { AWS_ACCESS_KEY_ID: 'AKIA' }, 'bedrock:amazon.nova-pro-v1:0 needs AWS_REGION (e.g. us-east-1) or providers.bedrock.region in deckhand.json'],
    [
      'bedrock:amazon.nova-pro-v1:0',
      { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIA' },
      'bedrock:amazon.nova-pro-v1:0 needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK; or use --model offline',
    ],
  ])('says what %s is missing (%j)', (id, env, expected) => {
    expect(usageError(() => resolveModel(id, env)).message).toBe(expected);
  });

  it('takes the key from the variable apiKeyEnv names, and says so when it is unset', () => {
    expect(resolveModel('google:gemini-2.5-flash', { GEMINI_API_KEY: 'gk' }, { google: { apiKeyEnv: 'GEMINI_API_KEY' } }).provider).toBe('google');
    expect(usageError(() => resolveModel('google:gemini-2.5-flash', { GOOGLE_GENERATIVE_AI_API_KEY: 'gk' }, { google: { apiKeyEnv: 'GEMINI_API_KEY' } })).message).toBe(
      'google:gemini-2.5-flash needs GEMINI_API_KEY (set it in the environment or .env), or use --model offline',
    );
    expect(usageError(() => resolveModel('compat:m', {}, { compat: { baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: 'GATEWAY_KEY' } })).message).toBe(
      'compat:m needs GATEWAY_KEY (named by providers.compat.apiKeyEnv; set it in the environment or .env)',
    );
  });

  it('rejects a providers baseURL that is not http(s), naming the setting', () => {
    expect(usageError(() => resolveModel('compat:m', {}, { compat: { baseURL: 'ftp://gateway' } })).message).toBe(
      'providers.compat.baseURL is not an http(s) URL: "ftp://gateway" (expected e.g. http://127.0.0.1:8000/v1)',
    );
  });
});
