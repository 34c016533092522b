import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { expandProviderReferences, expandServerReferences } from './expand-vars.js';
import { ConfigError } from '../shared/errors.js';
import type { ProviderEnv } from '../models/resolve.js';
import type { LogLevel } from '../shared/logger.js';
import { DEVOPS_CONFIG_ENV, PRICING_ENV, type DevopsConfig, devopsVariables, resolveDevopsPaths } from '../servers/devops/config.js';
import { DB_READY_ENV } from '../servers/db-ready-env.js';
import { builtinServerEntry } from '../shared/package-info.js';
import { SHARED_PROCESS, SHARED_PROCESS_FLAG, type SharedMemberConfig, type SharedServerProcessSpec } from './shared-process.js';
import {
  type ApprovalConfig,
  type BudgetConfig,
  BUILTIN_SERVER_NAMES,
  type BuiltinServerName,
  type CompactionConfig,
  type FileConfig,
  FileConfigSchema,
  type McpServerConfig,
  ModelIdSchema,
  type PricingSchema,
  type ProvidersConfig,
  type RetryConfigSchema,
  type ToolCacheConfig,
} from './schema.js';

/** Flags that override everything else. */
export interface SettingsFlags {
  /** A model id, or several (`--model` given more than once): a fallback chain. */
  readonly model?: string | readonly string[];
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
  readonly budgetTokens?: number;
}

export type ModelSource = 'flag' | 'env' | 'config' | 'default';

export type { ProviderEnv };

/** Everything a command needs, resolved once: flags > env (and `.env`) > config file > defaults. */
export interface Settings {
  readonly home: string;
  readonly dbFile: string;
  readonly databaseUrl: string | undefined;
  readonly logFile: string;
  /** Folder of the rotated log files. */
  readonly logDir: string;
  readonly logLevel: LogLevel;
  /** Logs also go to stderr at this level when `DECKHAND_LOG_LEVEL` is set; undefined otherwise. */
  readonly stderrLogLevel: LogLevel | undefined;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: traces are exported there; unset, tracing is off. */
  readonly otlpEndpoint: string | undefined;
  /** Configured secret values, redacted from every log line. */
  readonly secrets: readonly string[];
  /** The model id, or undefined to use the default for the configured keys. */
  readonly modelId: string | undefined;
  /** The fallback chain: `modelId` first, then the models to switch to on a provider outage (empty without one). */
  readonly fallbackModelIds: readonly string[];
  readonly modelSource: ModelSource;
  readonly providerEnv: ProviderEnv;
  /** `providers` of the config file: per-provider base URL, headers, `apiKeyEnv` (empty without one). */
  readonly providers: ProvidersConfig;
  readonly servers: Readonly<Record<string, McpServerConfig>>;
  readonly builtinServers: readonly BuiltinServerName[];
  readonly maxSteps: number | undefined;
  readonly budgetUsd: number | undefined;
  /** Every budget limit: `budget` of the config, with `--budget-usd` / `--budget-tokens` as the run's. */
  readonly budget: BudgetConfig;
  readonly toolTimeoutMs: number | undefined;
  readonly modelTimeoutMs: number | undefined;
  readonly retry: z.infer<typeof RetryConfigSchema>;
  readonly toolCache: ToolCacheConfig;
  readonly pricing: z.infer<typeof PricingSchema> | undefined;
  readonly approval: ApprovalConfig;
  /** When older turns are summarised; empty means the defaults (see `CompactionConfigSchema`). */
  readonly compaction: CompactionConfig;
  /** Servers whose tool annotations are believed: the built-in ones and those marked `"trusted": true`. */
  readonly trustedServers: ReadonlySet<string>;
  /**
   * Servers that honour the `idempotency_key` the host passes, so a call whose outcome is unknown (its process
   * died mid-call) may be replayed without asking: the built-in ones and those marked `"idempotent": true`.
   */
  readonly idempotentServers: ReadonlySet<string>;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
  /** The API access token of `deckhand serve` (`DECKHAND_TOKEN`); undefined means the stored or a generated one. */
  readonly apiToken: string | undefined;
  /** The `devops` section with its paths made absolute (relative to the config file), if there is one. */
  readonly devops: DevopsConfig | undefined;
  /**
   * What the devops server is given besides the default environment: its section as JSON, the variables it names
   * (`requiredConfig`, `passEnv`) and, when it has its own model, the provider settings. Empty without a section.
   */
  readonly devopsEnv: Readonly<Record<string, string>>;
  /** `DECKHAND_RUN_LEASE_TTL_MS`: how long a run's lease lasts without a heartbeat; undefined means the default. */
  readonly runLeaseTtlMs: number | undefined;
  /** `DECKHAND_SHUTDOWN_GRACE_MS`: how long a stopping serve or worker lets its runs go on; undefined means the default (10 s). */
  readonly shutdownGraceMs: number | undefined;
}

const EnvSchema = z.object({
  DECKHAND_HOME: z.string().min(1).optional(),
  /** The config file to read instead of ./deckhand.json or $DECKHAND_HOME/config.json (`--config FILE`). */
  DECKHAND_CONFIG: z.string().min(1).optional(),
  DECKHAND_MODEL: ModelIdSchema.optional(),
  DECKHAND_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
  OLLAMA_BASE_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
  GOOGLE_GENERATIVE_AI_API_KEY: z.string().min(1).optional(),
  GOOGLE_VERTEX_API_KEY: z.string().min(1).optional(),
  GOOGLE_VERTEX_PROJECT: z.string().min(1).optional(),
  GOOGLE_VERTEX_LOCATION: z.string().regex(/^[a-z0-9-]+$/, 'a Google Cloud location such as us-central1 or global').optional(),
  AZURE_API_KEY: z.string().min(1).optional(),
  AZURE_RESOURCE_NAME: z.string().regex(/^[a-zA-Z0-9-]+$/, 'the <name> of https://<name>.openai.azure.com').optional(),
  AWS_REGION: z.string().regex(/^[a-z0-9-]+$/, 'an AWS region such as us-east-1').optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  AWS_BEARER_TOKEN_BEDROCK: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .min(1)
    // Without a user, the driver falls back to the OS user name, which is rarely a PostgreSQL role.
    .refine((value) => !/^postgres(ql)?:\/\/(?![^/?#]*@)/i.test(value), {
      error: 'a postgres://USER@host:5432/database URL that names the user (add "USER@" before the host)',
    })
    .optional(),
  SMTP_URL: z.string().min(1).optional(),
  SMTP_FROM: z.string().min(1).optional(),
  DECKHAND_TOKEN: z.string().min(16, 'at least 16 characters').max(512).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
  /** How long a run's ownership lease lasts without a heartbeat (default 30 s); short values are for tests. */
  DECKHAND_RUN_LEASE_TTL_MS: z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 100 && Number(value) <= 3_600_000, { error: 'a whole number of milliseconds from 100 to 3600000' })
    .optional(),
  /** How long SIGTERM lets runs go on before they are cancelled and queued again (default 10 s). */
  DECKHAND_SHUTDOWN_GRACE_MS: z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) <= 3_600_000, { error: 'a whole number of milliseconds from 0 to 3600000' })
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'an http(s) URL of an OTLP/HTTP collector' }).optional(),
});

const SECRET_NAME = /key|token|secret|password|passwd|authorization|credential/i;

/** The environment variables the providers read (`ProviderEnv`); passed to them, and to the devops server's own model. */
const PROVIDER_VARIABLES = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OLLAMA_BASE_URL',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GOOGLE_VERTEX_API_KEY',
  'GOOGLE_VERTEX_PROJECT',
  'GOOGLE_VERTEX_LOCATION',
  'AZURE_API_KEY',
  'AZURE_RESOURCE_NAME',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
] as const;

/**
 * The provider variables that are set, plus the ones `providers.<name>.apiKeyEnv` names (read from the
 * environment and `.env` like the rest).
 */
function providerEnvOf(
  env: Readonly<Record<string, string | undefined>>,
  merged: Readonly<Record<string, string | undefined>>,
  providers: ProvidersConfig | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of PROVIDER_VARIABLES) if (env[name]) result[name] = env[name];
  for (const entry of Object.values(providers ?? {})) {
    const variable = entry?.apiKeyEnv;
    if (variable && merged[variable]) result[variable] = merged[variable];
  }
  return result;
}

/** The password of a URL (`smtp://user:PASSWORD@host`), if it has one. */
function urlPassword(value: string | undefined): string | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const password = decodeURIComponent(new URL(value).password);
  return password || undefined;
}

/** Every configured secret value: API keys, URL passwords, and server env values and headers that name a secret. */
function secretsOf(
  env: Readonly<Record<string, string | undefined>>,
  servers: Readonly<Record<string, McpServerConfig>>,
  providers: ProvidersConfig | undefined,
): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    if (value) found.add(value);
  };
  for (const name of PROVIDER_VARIABLES) if (SECRET_NAME.test(name)) add(env[name]);
  for (const entry of Object.values(providers ?? {})) {
    add(entry?.apiKeyEnv ? env[entry.apiKeyEnv] : undefined);
    for (const [name, value] of Object.entries(entry?.headers ?? {})) {
      if (!SECRET_NAME.test(name)) continue;
      add(value);
      add(/^(?:bearer|basic)\s+(\S+)$/i.exec(value)?.[1]);
    }
  }
  add(urlPassword(env.SMTP_URL));
  add(urlPassword(env.DATABASE_URL));
  for (const server of Object.values(servers)) {
    const pairs = 'command' in server ? Object.entries(server.env ?? {}) : Object.entries(server.headers ?? {});
    for (const [name, value] of pairs) {
      if (!SECRET_NAME.test(name)) continue;
      add(value);
      // `Authorization: Bearer TOKEN`: the token alone is the secret too.
      add(/^(?:bearer|basic)\s+(\S+)$/i.exec(value)?.[1]);
    }
  }
  return [...found];
}

/** Turns the first zod issue into a ConfigError naming the source, the key path and the expectation. */
function toConfigError(source: string, error: z.ZodError, prefix = ''): ConfigError {
  const issue = error.issues[0]!;
  const key = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(top level)';
  let expected = issue.message;
  if (issue.code === 'unrecognized_keys') expected = `unknown key(s) ${issue.keys.map((name) => `"${name}"`).join(', ')}`;
  return new ConfigError(source, key, expected);
}

/** Reads `.env` in `cwd` (if any). Values already in the environment win, as with dotenv. */
export function readDotEnv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

/**
 * The config file a command reads: `DECKHAND_CONFIG` (`--config FILE`) when set, else `deckhand.json` in `cwd`,
 * else `$DECKHAND_HOME/config.json`; undefined when none exists.
 */
export function configFilePath(cwd: string, home: string, explicit?: string): string | undefined {
  if (explicit !== undefined) return resolve(cwd, explicit);
  return [join(cwd, 'deckhand.json'), join(home, 'config.json')].find((candidate) => existsSync(candidate));
}

function readConfigFile(cwd: string, home: string, env: Readonly<Record<string, string | undefined>>): { file: string | undefined; config: FileConfig } {
  const file = configFilePath(cwd, home, env.DECKHAND_CONFIG);
  if (!file) return { file: undefined, config: FileConfigSchema.parse({}) };
  if (!existsSync(file)) throw new ConfigError('--config', 'DECKHAND_CONFIG', `an existing config file (${file} does not exist)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, '(file)', `not valid JSON (${(error as Error).message})`);
  }
  const parsed = FileConfigSchema.safeParse(expandProviderReferences(expandServerReferences(raw, env, file), env, file));
  if (!parsed.success) throw toConfigError(file, parsed.error);
  return { file, config: parsed.data };
}

/**
 * Resolves the settings for one command. Throws `ConfigError` (one line: source, key, expectation) on any
 * invalid value; reads nothing else from `process.env` than what `env` holds.
 */
export function loadSettings(options: {
  flags?: SettingsFlags;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const flags = options.flags ?? {};
  const processEnv = options.env ?? process.env;
  const dotEnv = readDotEnv(cwd);
  // An empty DECKHAND_HOME is almost always a script's unset variable: refuse it rather than fall back to ~/.deckhand.
  if (processEnv.DECKHAND_HOME === '' || (processEnv.DECKHAND_HOME === undefined && dotEnv.DECKHAND_HOME === '')) {
    throw new ConfigError('environment', 'DECKHAND_HOME', 'a folder path, not empty (unset it to use ~/.deckhand)');
  }
  const merged: Record<string, string | undefined> = { ...dotEnv };
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined && value !== '') merged[key] = value;
  for (const [key, value] of Object.entries(merged)) if (value === '') delete merged[key];

  const envResult = EnvSchema.safeParse(merged);
  if (!envResult.success) throw toConfigError('environment', envResult.error);
  const env = envResult.data;

  const home = resolve(env.DECKHAND_HOME ?? join(homedir(), '.deckhand'));
  const { file: configFile, config } = readConfigFile(cwd, home, merged);

  const flagModels = flags.model === undefined ? [] : typeof flags.model === 'string' ? [flags.model] : [...flags.model];
  for (const id of flagModels) {
    const checked = ModelIdSchema.safeParse(id);
    if (!checked.success) throw new ConfigError('--model', 'model', checked.error.issues[0]!.message);
  }
  const configModels = config.model === undefined ? [] : typeof config.model === 'string' ? [config.model] : config.model;
  const chain = flagModels.length > 0 ? flagModels : env.DECKHAND_MODEL ? [env.DECKHAND_MODEL] : configModels;
  const modelId = chain[0];
  const modelSource: ModelSource =
    flagModels.length > 0 ? 'flag' : env.DECKHAND_MODEL ? 'env' : configModels.length > 0 ? 'config' : 'default';
  const runLimits = {
    ...(config.budget?.usd !== undefined ? { usd: config.budget.usd } : {}),
    ...config.budget?.run,
    ...(flags.budgetUsd !== undefined ? { usd: flags.budgetUsd } : {}),
    ...(flags.budgetTokens !== undefined ? { tokens: flags.budgetTokens } : {}),
  };

  const dbFile = join(home, 'deckhand.db');
  const devops = config.devops ? resolveDevopsPaths(config.devops, configFile ? dirname(configFile) : cwd) : undefined;
  const devopsEnv: Record<string, string> = {};
  if (devops) {
    devopsEnv[DEVOPS_CONFIG_ENV] = JSON.stringify(devops);
    for (const name of devopsVariables(devops)) if (merged[name] !== undefined) devopsEnv[name] = merged[name]!;
    if (devops.model) {
      for (const name of PROVIDER_VARIABLES) if (env[name]) devopsEnv[name] = env[name];
      // Its own model's calls are priced as the host prices its own: the same overrides over the same registry.
      if (config.pricing) devopsEnv[PRICING_ENV] = JSON.stringify(config.pricing);
    }
  }
  const providerEnv = providerEnvOf(env, merged, config.providers);
  const builtinServers =
    config.builtinServers === true ? [...BUILTIN_SERVER_NAMES] : config.builtinServers === false ? [] : config.builtinServers;
  const logLevel = env.DECKHAND_LOG_LEVEL ?? 'info';
  const servers: Record<string, McpServerConfig> = {};
  const common: Record<string, string> = {
    DECKHAND_HOME: home,
    DECKHAND_DB: dbFile,
    // The host migrates and seeds every built-in server's tables when it opens the store, before spawning them.
    [DB_READY_ENV]: '1',
    DECKHAND_LOG_LEVEL: logLevel,
    ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
    // With tracing on, each server exports its side of every tool call, continuing the host's trace.
    ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  };
  // The built-in servers run in one process (each still its own MCP server on its own socket): one Node start, one
  // SDK load, one store connection instead of six. Each keeps its own command, run alone where no host groups it.
  const shared: SharedServerProcessSpec = { command: process.execPath, args: [builtinServerEntry(), SHARED_PROCESS_FLAG], env: common };
  for (const name of builtinServers) {
    const own: Record<string, string> = {
      // The email server delivers over SMTP when these are set (it validates them at start).
      ...(name === 'email' && env.SMTP_URL ? { SMTP_URL: env.SMTP_URL } : {}),
      ...(name === 'email' && env.SMTP_FROM ? { SMTP_FROM: env.SMTP_FROM } : {}),
      // The devops server's section and the variables it checks and passes to its commands.
      ...(name === 'devops' ? devopsEnv : {}),
    };
    // Provider keys (the devops server's own model) stay in a process of their own, as before: no other server's
    // process ever holds them.
    const joins = !PROVIDER_VARIABLES.some((variable) => own[variable] !== undefined);
    const config: SharedMemberConfig = {
      command: process.execPath,
      args: [builtinServerEntry(), name],
      env: { ...common, ...own },
      ...(joins ? { [SHARED_PROCESS]: shared } : {}),
    };
    servers[name] = config;
  }
  const trusted = new Set<string>(builtinServers);
  const idempotent = new Set<string>(builtinServers);
  // A configured server with a built-in's name replaces the built-in (and is trusted only if it says so).
  for (const [name, server] of Object.entries(config.mcpServers)) {
    trusted.delete(name);
    idempotent.delete(name);
    if (server.disabled) {
      delete servers[name];
      continue;
    }
    servers[name] = server;
    if (server.trusted === true) trusted.add(name);
    if (server.idempotent === true) idempotent.add(name);
  }

  return {
    home,
    dbFile,
    databaseUrl: env.DATABASE_URL,
    logFile: join(home, 'logs', 'deckhand.log'),
    logDir: join(home, 'logs'),
    logLevel,
    stderrLogLevel: env.DECKHAND_LOG_LEVEL,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    secrets: secretsOf({ ...env, ...providerEnv }, servers, config.providers),
    modelId,
    fallbackModelIds: chain.slice(1),
    modelSource,
    providerEnv,
    providers: config.providers ?? {},
    servers,
    builtinServers,
    maxSteps: flags.maxSteps ?? config.maxSteps,
    budgetUsd: runLimits.usd,
    budget: { ...config.budget, run: runLimits },
    toolTimeoutMs: config.toolTimeoutMs,
    modelTimeoutMs: config.modelTimeoutMs,
    retry: config.retry ?? {},
    toolCache: config.toolCache ?? {},
    pricing: config.pricing,
    approval: config.approval,
    compaction: config.compaction ?? {},
    trustedServers: trusted,
    idempotentServers: idempotent,
    configFile,
    apiToken: env.DECKHAND_TOKEN,
    runLeaseTtlMs: env.DECKHAND_RUN_LEASE_TTL_MS === undefined ? undefined : Number(env.DECKHAND_RUN_LEASE_TTL_MS),
    shutdownGraceMs: env.DECKHAND_SHUTDOWN_GRACE_MS === undefined ? undefined : Number(env.DECKHAND_SHUTDOWN_GRACE_MS),
    devops,
    devopsEnv,
  };
}
