/** The `devops` section: validated with the rest of deckhand.json, resolved, and handed to the spawned server. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../config/load.js';
import { ConfigError } from '../../shared/errors.js';
import { DEVOPS_CONFIG_ENV, devopsConfigFromEnv, fillPlaceholders } from './config.js';

function settingsWith(devops: unknown, env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'deckhand-devops-config-'));
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ devops }));
  return { cwd, load: () => loadSettings({ cwd, env: { DECKHAND_HOME: join(cwd, 'home'), ...env } }) };
}

const STAGING = { deploy: ['./deploy.sh', '{environment}', '{sha}'], requiredConfig: ['API_URL'] };

describe('the devops section', () => {
  it('resolves paths against the config file and passes the server its section, the variables it names and nothing else', () => {
    const { cwd, load } = settingsWith({ repo: 'app', logDirs: ['logs'], environments: { staging: STAGING } }, { API_URL: 'https://api.test', UNRELATED: 'x' });
    const settings = load();
    expect(settings.devops).toMatchObject({ repo: join(cwd, 'app'), logDirs: [join(cwd, 'logs')], testTimeoutMs: 600_000 });
    const env = (settings.servers.devops as { env: Record<string, string> }).env;
    expect(env).toMatchObject({ API_URL: 'https://api.test' });
    expect(env.UNRELATED).toBeUndefined();
    expect(env.OPENAI_API_KEY).toBeUndefined();
    const passed = devopsConfigFromEnv(env);
    expect(passed).toMatchObject({ state: 'configured', config: { repo: join(cwd, 'app'), environments: { staging: { requireApproval: false } } } });
    // The other servers are not given it.
    expect((settings.servers.crm as { env: Record<string, string> }).env[DEVOPS_CONFIG_ENV]).toBeUndefined();
  });

  it('gives the provider keys to the server only when it has its own model', () => {
    const { load } = settingsWith({ model: 'openai:gpt-4.1-mini', environments: { staging: STAGING } }, { OPENAI_API_KEY: 'sk-test' });
    expect((load().servers.devops as { env: Record<string, string> }).env.OPENAI_API_KEY).toBe('sk-test');
  });

  it.each([
    [{ environments: { staging: { deploy: ['./deploy.sh', '{version}'] } } }, 'devops.environments.staging.deploy.1: unknown placeholder {version}'],
    [{ environments: { staging: { requiredConfig: ['API_URL'] } } }, 'devops.environments.staging.deploy'],
    [{ environments: { staging: { deploy: [] } } }, 'devops.environments.staging.deploy: an argv array'],
    [{ testCommand: 'npm test' }, 'devops.testCommand'],
    [{ model: 'gpt-4' }, 'devops.model: a model id'],
    [{ environments: { Staging: STAGING } }, 'devops.environments'],
    [{ repo: '.', extra: true }, 'unknown key(s) "extra"'],
  ])('rejects %j naming the key', (devops, expected) => {
    const { load } = settingsWith(devops);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(expected);
  });

  it('fills placeholders as whole arguments, never through a shell', () => {
    expect(fillPlaceholders(['deploy', '--env={environment}', '{sha}'], { branch: 'main', sha: 'abc; rm -rf /', environment: 'staging' })).toEqual([
      'deploy',
      '--env=staging',
      'abc; rm -rf /',
    ]);
  });

  it('a missing or invalid section reaches the server as a state to report, not a crash', () => {
    expect(devopsConfigFromEnv({})).toEqual({ state: 'missing' });
    expect(devopsConfigFromEnv({ [DEVOPS_CONFIG_ENV]: '{' })).toMatchObject({ state: 'invalid' });
    expect(devopsConfigFromEnv({ [DEVOPS_CONFIG_ENV]: '{"environments":{"x":{}}}' })).toMatchObject({ state: 'invalid', problem: expect.stringContaining('devops.environments.x.deploy') });
  });
});
