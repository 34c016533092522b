/**
 * @module The config phase of a deploy: are the keys an environment requires set? Names only, never values,
 * in anything reported.
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { DevopsEnvironment } from './config.js';

export interface ConfigCheck {
  readonly required: string[];
  readonly present: string[];
  readonly missing: string[];
  /** Where the values came from (names of sources, not values). */
  readonly sources: string[];
  /** Why the env file could not be read, when it could not. */
  readonly envFileProblem?: string;
  /** The values to give the deploy command: the env file's keys over the server's environment. Never reported. */
  readonly values: Readonly<Record<string, string>>;
}

/** Checks `environment.requiredConfig` against the process environment `env` and the environment's env file. */
export function checkConfig(environment: DevopsEnvironment, env: Readonly<Record<string, string | undefined>>): ConfigCheck {
  const fromFile: Record<string, string> = {};
  const sources = ['environment variables'];
  let envFileProblem: string | undefined;
  if (environment.envFile) {
    try {
      Object.assign(fromFile, parseEnv(readFileSync(environment.envFile, 'utf8')));
      sources.push(environment.envFile);
    } catch (error) {
      envFileProblem = `cannot read env file ${environment.envFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }
  const values: Record<string, string> = {};
  for (const name of environment.requiredConfig) {
    const value = fromFile[name] ?? env[name];
    if (value !== undefined && value !== '') values[name] = value;
  }
  for (const [name, value] of Object.entries(fromFile)) if (value !== '') values[name] = value;
  const present = environment.requiredConfig.filter((name) => Object.hasOwn(values, name));
  const missing = environment.requiredConfig.filter((name) => !Object.hasOwn(values, name));
  return { required: [...environment.requiredConfig], present, missing, sources, ...(envFileProblem ? { envFileProblem } : {}), values };
}
