/**
 * @module The one way a run's settings are built, for `deckhand run`, `chat`, `resume`, and the HTTP API alike.
 *
 * Precedence, highest first, field by field:
 * 1. the caller's overrides: flags given to this command, or fields of this request body;
 * 2. the stored run's settings, when resuming (so a resume keeps what the run started with);
 * 3. the config: the settings file, the environment and the process's own flags, as `loadSettings` merged them,
 *    and the model chain they name;
 * 4. the defaults: `yes` is the front end's default (`deckhand serve --yes`), else false; limits unset.
 *
 * A front end that can run only the model it has open (a server) passes that model as an override, and says so.
 */
import type { Settings } from '../config/load.js';
import type { RunSettings } from '../contracts/index.js';
import { defaultModelId } from '../models/resolve.js';

/** What a caller may set for one run; unset fields fall through (see the module's precedence). */
export interface RunOverrides {
  /** The model, then its fallbacks (`--model` given once or more). */
  readonly model?: readonly string[];
  readonly yes?: boolean;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
  readonly budgetTokens?: number;
}

/** What {@link resolveRunSettings} builds from. */
export interface RunSettingsSources {
  /** The process's merged settings. */
  readonly config: Pick<Settings, 'modelId' | 'fallbackModelIds' | 'providerEnv' | 'maxSteps' | 'budgetUsd' | 'budget'>;
  /** The stored run's settings, when resuming. */
  readonly stored?: RunSettings;
  readonly overrides?: RunOverrides;
  /** `yes` when nothing else says (`deckhand serve --yes`). Default false. */
  readonly defaultYes?: boolean;
}

/** The model chain of the config: the configured (or default) model, then its fallbacks. */
function configChain(config: RunSettingsSources['config']): readonly string[] {
  return [(config.modelId ?? defaultModelId(config.providerEnv)).trim(), ...config.fallbackModelIds];
}

/** A run's settings from the overrides, the stored run and the config, in that order (see the module). */
export function resolveRunSettings({ config, stored, overrides = {}, defaultYes = false }: RunSettingsSources): RunSettings {
  const storedChain = stored ? [stored.model, ...(stored.fallbackModels ?? [])] : undefined;
  const [model, ...fallbacks] = overrides.model && overrides.model.length > 0 ? overrides.model : (storedChain ?? configChain(config));
  const maxSteps = overrides.maxSteps ?? stored?.maxSteps ?? config.maxSteps;
  const budgetUsd = overrides.budgetUsd ?? stored?.budgetUsd ?? config.budgetUsd;
  const budgetTokens = overrides.budgetTokens ?? stored?.budgetTokens ?? config.budget.run?.tokens;
  return {
    model: model!,
    yes: overrides.yes ?? stored?.yes ?? defaultYes,
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    ...(budgetTokens !== undefined ? { budgetTokens } : {}),
    ...(fallbacks.length > 0 ? { fallbackModels: fallbacks } : {}),
  };
}
