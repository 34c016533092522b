/**
 * The one precedence of a run's settings (overrides > stored run > config > defaults), for every front end.
 */
import { describe, expect, it } from 'vitest';
import type { RunSettings } from '../contracts/index.js';
import { resolveRunSettings, type RunSettingsSources } from './run-settings.js';

const config: RunSettingsSources['config'] = {
  modelId: 'openai:gpt-4.1-mini',
  fallbackModelIds: ['anthropic:claude-sonnet-4-5'],
  providerEnv: {},
  maxSteps: 12,
  budgetUsd: 0.5,
  budget: { run: { tokens: 9_000 } },
};

describe('resolveRunSettings', () => {
  it('a new run takes the config: its model chain, limits and token budget; yes is false', () => {
    expect(resolveRunSettings({ config })).toEqual({
      model: 'openai:gpt-4.1-mini',
      fallbackModels: ['anthropic:claude-sonnet-4-5'],
      yes: false,
      maxSteps: 12,
      budgetUsd: 0.5,
      budgetTokens: 9_000,
    });
  });

  it('with no model configured, the default for the keys there are (offline without any)', () => {
    expect(resolveRunSettings({ config: { ...config, modelId: undefined, fallbackModelIds: [] } }).model).toBe('offline');
  });

  it("the front end's default yes applies only when nothing else says", () => {
    expect(resolveRunSettings({ config, defaultYes: true }).yes).toBe(true);
    expect(resolveRunSettings({ config, defaultYes: true, overrides: { yes: false } }).yes).toBe(false);
  });

  // Invariant: a resume keeps what the run started with, field by field, unless the caller says otherwise.
  it('a resume keeps the stored settings over the config, the stored model chain included', () => {
    const stored: RunSettings = { model: 'offline', yes: true, maxSteps: 3 };
    expect(resolveRunSettings({ config, stored })).toEqual({ model: 'offline', yes: true, maxSteps: 3, budgetUsd: 0.5, budgetTokens: 9_000 });
  });

  it('overrides win over the stored run and the config, field by field', () => {
    const stored: RunSettings = { model: 'offline', yes: true, maxSteps: 3, budgetUsd: 0.1 };
    expect(resolveRunSettings({ config, stored, overrides: { model: ['compat:local', 'offline'], yes: false, budgetUsd: 2 } })).toEqual({
      model: 'compat:local',
      fallbackModels: ['offline'],
      yes: false,
      maxSteps: 3,
      budgetUsd: 2,
      budgetTokens: 9_000,
    });
  });

  it('an empty model override is no override', () => {
    expect(resolveRunSettings({ config, overrides: { model: [] } }).model).toBe('openai:gpt-4.1-mini');
  });
});
