/**
 * @module The `devops` section of `deckhand.json`, and how the devops server receives it: the host validates the
 * section with {@link DevopsConfigSchema}, resolves its paths, and hands it to the spawned server as JSON in
 * `DECKHAND_DEVOPS_CONFIG` (with the environment variables it names), so the server never reads config files.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/** The placeholders a command may use; any other `{word}` is a config error. */
export const PLACEHOLDERS = ['branch', 'sha', 'environment'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The variable the host puts the resolved `devops` section in, as JSON. */
export const DEVOPS_CONFIG_ENV = 'DECKHAND_DEVOPS_CONFIG';
/** The host's `pricing` section (JSON), passed to the devops server when it has a model of its own. */
export const PRICING_ENV = 'DECKHAND_PRICING';

export const DEFAULT_TEST_TIMEOUT_MS = 600_000;
export const DEFAULT_DEPLOY_TIMEOUT_MS = 600_000;
export const DEFAULT_MODEL_BUDGET_USD = 1;
export const DEFAULT_LARGE_DIFF_LINES = 1_000;

const PLACEHOLDER_PATTERN = /\{([^{}]*)\}/g;

/** An argv array, run without a shell: `["./scripts/deploy.sh", "{environment}", "{sha}"]`. */
export const ArgvSchema = z
  .array(z.string().min(1, 'non-empty strings'))
  .min(1, 'an argv array with at least the program, e.g. ["npm", "test"]')
  .superRefine((argv, context) => {
    for (const [index, arg] of argv.entries()) {
      for (const match of arg.matchAll(PLACEHOLDER_PATTERN)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
          context.addIssue({
            code: 'custom',
            path: [index],
            message: `unknown placeholder {${match[1]}}; use ${PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
          });
        }
      }
    }
  });

/** An environment variable name (`API_URL`). */
const VariableNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names (letters, digits, "_")');

export const DevopsEnvironmentSchema = z
  .object({
    /** The deploy command; `{sha}` is the commit being deployed. */
    deploy: ArgvSchema,
    /** Run instead of `deploy` by `rollback`; default `deploy` (with the previous commit as `{sha}`). */
    rollback: ArgvSchema.optional(),
    /** Variables (or keys of `envFile`) that must be set; reports name them, never their values. */
    requiredConfig: z.array(VariableNameSchema).default([]),
    /** A dotenv file whose keys count as set and are passed to the deploy command. Relative to the config file. */
    envFile: z.string().min(1).optional(),
    /** A person approves every deploy (MCP elicitation), unless `allowAutoApprove` and the call says `auto_approve`. */
    requireApproval: z.boolean().default(false),
    /** Let `auto_approve: true` skip the person. Default false: production always asks. */
    allowAutoApprove: z.boolean().default(false),
    /** Milliseconds the deploy command may run. Default 10 minutes. */
    deployTimeoutMs: z.number().int().positive().default(DEFAULT_DEPLOY_TIMEOUT_MS),
  })
  .strict();
export type DevopsEnvironment = z.infer<typeof DevopsEnvironmentSchema>;

export const DevopsConfigSchema = z
  .object({
    /** The git repository to review and deploy from. Relative to the config file. Default ".". */
    repo: z.string().min(1).default('.'),
    /** The test command run before every deploy, in `repo`. Without one, tests are reported as not configured. */
    testCommand: ArgvSchema.optional(),
    testTimeoutMs: z.number().int().positive().default(DEFAULT_TEST_TIMEOUT_MS),
    environments: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'environment names: lower-case letters, digits, "_" or "-"'), DevopsEnvironmentSchema)
      .default({}),
    /** The only directories `troubleshoot_issue` reads logs from. Relative to the config file. */
    logDirs: z.array(z.string().min(1)).default([]),
    /** A Prometheus server whose `up` and alerts are added to the metrics. */
    prometheusUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. http://127.0.0.1:9090' }).optional(),
    /** The server's own model for verdicts and analyses (`provider:model`). Without it the client's model is asked (sampling). */
    model: z
      .string()
      .regex(/^(offline|(openai|anthropic|ollama|compat):[^\s]+)$/, 'a model id "provider:model", e.g. openai:gpt-4.1-mini')
      .optional(),
    /** USD the server's own model may spend in total (recorded in the store). Default 1. */
    budgetUsd: z.number().positive().default(DEFAULT_MODEL_BUDGET_USD),
    /** A diff with more changed lines than this is a risk signal. Default 1000. */
    largeDiffLines: z.number().int().positive().default(DEFAULT_LARGE_DIFF_LINES),
    /** More variables to pass to the test and deploy commands (besides PATH, HOME and `requiredConfig`). */
    passEnv: z.array(VariableNameSchema).default([]),
  })
  .strict();
export type DevopsConfig = z.infer<typeof DevopsConfigSchema>;

/** The section with every path made absolute against `baseDir` (the config file's folder). */
export function resolveDevopsPaths(config: DevopsConfig, baseDir: string): DevopsConfig {
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const environments: Record<string, DevopsEnvironment> = {};
  for (const [name, environment] of Object.entries(config.environments)) {
    environments[name] = { ...environment, ...(environment.envFile ? { envFile: absolute(environment.envFile) } : {}) };
  }
  return { ...config, repo: absolute(config.repo), logDirs: config.logDirs.map(absolute), environments };
}

/** Every variable the devops server must be given to check and run its commands (sorted, unique). */
export function devopsVariables(config: DevopsConfig): string[] {
  const names = new Set(config.passEnv);
  for (const environment of Object.values(config.environments)) for (const name of environment.requiredConfig) names.add(name);
  return [...names].sort();
}

/** Outcome of reading `DECKHAND_DEVOPS_CONFIG`. */
export type DevopsConfigState =
  | { readonly state: 'configured'; readonly config: DevopsConfig }
  | { readonly state: 'missing' }
  | { readonly state: 'invalid'; readonly problem: string };

/** Reads the section the host passed in `env` (never a file). Invalid JSON or values are reported, not thrown. */
export function devopsConfigFromEnv(env: Readonly<Record<string, string | undefined>>): DevopsConfigState {
  const raw = env[DEVOPS_CONFIG_ENV];
  if (raw === undefined || raw.trim() === '') return { state: 'missing' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { state: 'invalid', problem: `${DEVOPS_CONFIG_ENV} is not JSON (${(error as Error).message})` };
  }
  const parsed = DevopsConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { state: 'invalid', problem: `devops.${issue.path.map(String).join('.')}: ${issue.message}` };
  }
  return { state: 'configured', config: parsed.data };
}

/** The argv with placeholders filled in. Each value is one argument: no shell, so nothing in it is interpreted. */
export function fillPlaceholders(argv: readonly string[], values: Readonly<Record<Placeholder, string>>): string[] {
  return argv.map((arg) => arg.replace(PLACEHOLDER_PATTERN, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as Placeholder] : whole)));
}

/** What to put in `deckhand.json` when the section is missing: said in every tool result, so nobody guesses. */
export const HOW_TO_CONFIGURE =
  'The devops server has no configuration. Add a "devops" section to deckhand.json, for example: ' +
  '{"devops": {"repo": ".", "testCommand": ["npm", "test"], "environments": {"staging": {"deploy": ["./scripts/deploy.sh", "{environment}", "{sha}"], ' +
  '"requiredConfig": ["API_URL"]}, "production": {"deploy": ["./scripts/deploy.sh", "{environment}", "{sha}"], "requireApproval": true}}, ' +
  '"logDirs": ["/var/log/myapp"]}}. See the README section "DevOps server".';
