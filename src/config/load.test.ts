import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.js';
import { loadSettings } from './load.js';
import { BUILTIN_SERVER_NAMES } from './schema.js';

function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const baseEnv = (cwd: string) => ({ DECKHAND_HOME: join(cwd, 'home') });

describe('loadSettings', () => {
  it('spawns the built-in servers by default with the data dir passed down', () => {
    const cwd = workspace();
    const settings = loadSettings({ cwd, env: baseEnv(cwd) });
    expect(Object.keys(settings.servers)).toEqual([...BUILTIN_SERVER_NAMES]);
    expect(BUILTIN_SERVER_NAMES).toContain('crm');
    expect(settings.servers.crm).toMatchObject({ command: process.execPath, env: { DECKHAND_DB: join(cwd, 'home', 'deckhand.db'), DECKHAND_DB_READY: '1' } });
    expect(settings.modelId).toBeUndefined();
    expect(settings.modelSource).toBe('default');
  });

  it('passes SMTP settings to the email server only', () => {
    const cwd = workspace();
    const settings = loadSettings({ cwd, env: { ...baseEnv(cwd), SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'Shop <shop@example.com>' } });
    expect(settings.servers.email).toMatchObject({ env: { SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'Shop <shop@example.com>' } });
    expect((settings.servers.crm as { env: Record<string, string> }).env.SMTP_URL).toBeUndefined();
  });

  it('passes the pricing overrides to the devops server when it has a model of its own, and to no other', () => {
    const pricing = { 'openai:gpt-4.1-mini': { inputPerMTok: 0.5, outputPerMTok: 2 } };
    const cwd = workspace({ 'deckhand.json': JSON.stringify({ pricing, devops: { repo: '.', model: 'openai:gpt-4.1-mini' } }) });
    const settings = loadSettings({ cwd, env: baseEnv(cwd) });
    const envOf = (name: string) => (settings.servers[name] as { env: Record<string, string> }).env;
    expect(JSON.parse(envOf('devops').DECKHAND_PRICING!)).toEqual(pricing);
    expect(envOf('crm').DECKHAND_PRICING).toBeUndefined();
    const withoutModel = workspace({ 'deckhand.json': JSON.stringify({ pricing, devops: { repo: '.' } }) });
    expect((loadSettings({ cwd: withoutModel, env: baseEnv(withoutModel) }).servers.devops as { env: Record<string, string> }).env.DECKHAND_PRICING).toBeUndefined();
  });

  it('orders sources: flag > env > .env > deckhand.json', () => {
    const cwd = workspace({
      'deckhand.json': JSON.stringify({ model: 'anthropic:claude-sonnet-4-5' }),
      '.env': 'DECKHAND_MODEL=ollama:qwen2.5\nOPENAI_API_KEY=from-dotenv\n',
    });
    expect(loadSettings({ cwd, env: baseEnv(cwd) })).toMatchObject({ modelId: 'ollama:qwen2.5', modelSource: 'env' });
    expect(loadSettings({ cwd, env: { ...baseEnv(cwd), DECKHAND_MODEL: 'openai:gpt-4.1' } }).modelId).toBe('openai:gpt-4.1');
    expect(loadSettings({ cwd, env: baseEnv(cwd), flags: { model: 'offline' } })).toMatchObject({ modelId: 'offline', modelSource: 'flag' });
    expect(loadSettings({ cwd, env: baseEnv(cwd) }).providerEnv.OPENAI_API_KEY).toBe('from-dotenv');
    expect(loadSettings({ cwd, env: { ...baseEnv(cwd), OPENAI_API_KEY: 'real' } }).providerEnv.OPENAI_API_KEY).toBe('real');
  });

  it('accepts the Claude Desktop mcpServers format unchanged and lets a config entry replace a built-in', () => {
    const cwd = workspace({
      'deckhand.json': JSON.stringify({
        mcpServers: {
          filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { DEBUG: '1' } },
          remote: { url: 'http://127.0.0.1:9000/mcp', headers: { Authorization: 'Bearer x' } },
          email: { command: 'my-email-server' },
        },
        builtinServers: ['crm', 'email'],
      }),
    });
    const settings = loadSettings({ cwd, env: baseEnv(cwd) });
    expect(Object.keys(settings.servers).sort()).toEqual(['crm', 'email', 'filesystem', 'remote']);
    expect(settings.servers.email).toMatchObject({ command: 'my-email-server', args: [] });
    expect(settings.servers.remote).toMatchObject({ url: 'http://127.0.0.1:9000/mcp' });
  });

  it.each([
    ['{ "model": ', '(file): not valid JSON'],
    [JSON.stringify({ model: 'gpt-4' }), 'model: a model id "provider:model"'],
    [JSON.stringify({ mcpServers: { crm2: { args: [] } } }), 'mcpServers.crm2: an object with "command"'],
    [JSON.stringify({ maxSteps: 0 }), 'maxSteps:'],
    [JSON.stringify({ modle: 'offline' }), 'unknown key(s) "modle"'],
    [JSON.stringify({ mcpServers: { 'bad name!': { command: 'x' } } }), 'mcpServers.bad name!'],
  ])('names the file, the key and the expectation for %s', (content, expected) => {
    const cwd = workspace({ 'deckhand.json': content });
    const error = (() => {
      try {
        loadSettings({ cwd, env: baseEnv(cwd) });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(join(cwd, 'deckhand.json'));
    expect((error as ConfigError).message).toContain(expected);
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('rejects invalid environment values with the variable name', () => {
    const cwd = workspace();
    expect(() => loadSettings({ cwd, env: { ...baseEnv(cwd), OPENAI_BASE_URL: 'not a url' } })).toThrow(/environment: OPENAI_BASE_URL: an http\(s\) URL/);
    expect(() => loadSettings({ cwd, env: { ...baseEnv(cwd), DECKHAND_LOG_LEVEL: 'loud' } })).toThrow(/DECKHAND_LOG_LEVEL/);
    expect(() => loadSettings({ cwd, env: baseEnv(cwd), flags: { model: 'foo:bar' } })).toThrow(/--model: model: a model id/);
  });
});

describe('loadSettings: providers', () => {
  it('reads per-provider settings with ${VAR} expanded, and the variables apiKeyEnv names', () => {
    const cwd = workspace({
      'deckhand.json': JSON.stringify({
        model: 'compat:llama-3.1-8b',
        providers: {
          compat: { baseURL: 'https://${GATEWAY_HOST}/v1', headers: { Authorization: 'Bearer ${GATEWAY_TOKEN}' }, apiKeyEnv: 'GATEWAY_KEY' },
          openai: { api: 'chat' },
        },
      }),
      '.env': 'GATEWAY_KEY=gw-from-dotenv\n',
    });
    const settings = loadSettings({ cwd, env: { ...baseEnv(cwd), GATEWAY_HOST: 'llm.internal.example', GATEWAY_TOKEN: 'tok-123' } });
    expect(settings.providers).toEqual({
      compat: { baseURL: 'https://llm.internal.example/v1', headers: { Authorization: 'Bearer tok-123' }, apiKeyEnv: 'GATEWAY_KEY' },
      openai: { api: 'chat' },
    });
    expect(settings.providerEnv.GATEWAY_KEY).toBe('gw-from-dotenv');
    // The gateway's key and token are secrets: redacted from every log line.
    expect(settings.secrets).toEqual(expect.arrayContaining(['gw-from-dotenv', 'Bearer tok-123', 'tok-123']));
  });

  it.each([
    [{ compat: { baseURL: 'not a url' } }, 'providers.compat.baseURL', 'an http(s) URL'],
    [{ openai: { api: 'graphql' } }, 'providers.openai.api', '"responses"'],
    [{ google: { apiKeyEnv: 'my key' } }, 'providers.google.apiKeyEnv', 'an environment variable name'],
    [{ mistral: {} }, 'providers', 'unknown key(s) "mistral"'],
    [{ compat: { baseUrl: 'http://x' } }, 'providers.compat', 'unknown key(s) "baseUrl"'],
  ])('rejects %j naming the key', (providers, key, expected) => {
    const cwd = workspace({ 'deckhand.json': JSON.stringify({ providers }) });
    const error = (() => {
      try {
        loadSettings({ cwd, env: baseEnv(cwd) });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(key);
    expect((error as ConfigError).message).toContain(expected);
  });

  it('an unset ${VAR} in providers is a config error naming it', () => {
    const cwd = workspace({ 'deckhand.json': JSON.stringify({ providers: { compat: { baseURL: '${GATEWAY_URL}' } } }) });
    expect(() => loadSettings({ cwd, env: baseEnv(cwd) })).toThrow(/providers\.compat\.baseURL.*\$\{GATEWAY_URL\} is not set/);
  });

  it('accepts the new provider prefixes as model ids', () => {
    const cwd = workspace();
    for (const id of ['google:gemini-2.5-flash', 'vertex:gemini-2.5-pro', 'azure:dep', 'bedrock:amazon.nova-pro-v1:0', 'openai-chat:gpt-4.1']) {
      expect(loadSettings({ cwd, env: baseEnv(cwd), flags: { model: id } }).modelId).toBe(id);
    }
  });
});
