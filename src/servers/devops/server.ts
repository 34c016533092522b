/**
 * @module The DevOps assistant MCP server: `deploy_with_review`, `rollback` and `troubleshoot_issue` over a real
 * git repository, real test and deploy commands and real logs and metrics, with the history, health resources
 * and prompts. Its tables live in the same database as the host's store, migrated by this server at start.
 */
import type { CallToolResult, ServerContext } from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { resolveModel } from '../../models/resolve.js';
import { errorMessage } from '../../shared/errors.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { guarded, ok } from '../shared/tool-result.js';
import { PricingSchema } from '../../config/schema.js';
import type { PriceTable } from '../../models/pricing.js';
import { type DevopsConfig, devopsConfigFromEnv, HOW_TO_CONFIGURE, PRICING_ENV } from './config.js';
import { runDeploy } from './deploy.js';
import type { OwnModel } from './judge.js';
import { renderDeployReport, renderTroubleshootReport } from './render.js';
import { registerDevopsResources } from './resources.js';
import { createRuntime, type DevopsRuntime } from './runtime.js';
import { BranchSchema, DeployReportSchema, EnvironmentNameSchema, TroubleshootReportSchema } from './schemas.js';
import type { DevopsDatabase } from './tables.js';
import { troubleshoot } from './troubleshoot.js';

/** What the devops server is built from; read once at start (`devopsOptionsFromEnv`). */
export interface DevopsServerOptions {
  /** The server's process environment: `DECKHAND_DEVOPS_CONFIG`, provider keys, `requiredConfig` values. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const runtimes = new WeakMap<object, DevopsRuntime>();

/** The host's `pricing` overrides from {@link PRICING_ENV}; a malformed value is an error naming the variable. */
function pricingFromEnv(env: DevopsServerOptions['env']): PriceTable | undefined {
  const text = env[PRICING_ENV];
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${PRICING_ENV} is not JSON`);
  }
  const parsed = PricingSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${PRICING_ENV} is not a valid pricing section: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** One runtime per store and environment (HTTP sessions share it; its migration runs once). */
function runtimeFor(db: Kysely<DevopsDatabase>, env: DevopsServerOptions['env']): DevopsRuntime {
  const existing = runtimes.get(db);
  if (existing && existing.env === env) return existing;
  const config = devopsConfigFromEnv(env);
  let own: OwnModel | undefined;
  let ownProblem: string | undefined;
  if (config.state === 'configured' && config.config.model) {
    try {
      own = { model: resolveModel(config.config.model, env), budgetUsd: config.config.budgetUsd, pricing: pricingFromEnv(env) };
    } catch (error) {
      ownProblem = `devops.model ${config.config.model} cannot be used: ${errorMessage(error)}`;
    }
  }
  const runtime = createRuntime({ db, config, env, own, ownProblem });
  runtimes.set(db, runtime);
  return runtime;
}

/** The section, or a ToolFailure saying what to configure (every tool result says it; nothing is guessed). */
function configured(runtime: DevopsRuntime): DevopsConfig {
  if (runtime.config.state === 'configured') return runtime.config.config;
  if (runtime.config.state === 'invalid') throw new ToolFailure(`The devops configuration is invalid: ${runtime.config.problem}. Fix it in deckhand.json and restart.`);
  throw new ToolFailure(HOW_TO_CONFIGURE);
}

/**
 * Builds the devops server on `db` (the host's database; the server's own tables are migrated in it at start).
 * Creating it does no I/O besides starting that migration.
 */
export function createDevopsServer(db: Kysely<DevopsDatabase>, version: string, options: DevopsServerOptions = { env: {} }): McpServer {
  const runtime = runtimeFor(db, options.env);
  const server = new McpServer(
    { name: 'deckhand-devops', version },
    {
      capabilities: { tools: {} },
      instructions:
        'DevOps assistant: deploy_with_review reviews a branch (git), runs the tests, checks config, gets a verdict and deploys when it may; ' +
        'rollback returns an environment to its previous good deploy; troubleshoot_issue reads allowed logs and metrics. ' +
        'History: deployment://history; health: system://health.',
    },
  );

  const handle = <A>(tool: string, run: (args: A, context: ServerContext, config: DevopsConfig) => Promise<CallToolResult>) =>
    guarded(tool, async (args: A, context: ServerContext) => {
      const config = configured(runtime);
      await runtime.ready();
      return run(args, context, config);
    });

  server.registerTool(
    'deploy_with_review',
    {
      title: 'Deploy a branch, with review',
      description:
        'Deploy a git branch to an environment (e.g. "deploy main to staging" → branch "main", environment "staging"). ' +
        'Reviews the commits and diff since the last successful deploy there, runs the test suite, checks the required config, ' +
        'gets a DEPLOY / DO_NOT_DEPLOY verdict (failing tests or missing config always stop it), asks a person to approve when the ' +
        'environment requires it (production), then runs the deploy command. One deploy at a time per environment. Returns the full report.',
      inputSchema: z.object({
        branch: BranchSchema.default('main'),
        environment: EnvironmentNameSchema.default('staging'),
        auto_approve: z
          .boolean()
          .default(false)
          .describe('Skip the person\'s approval where the environment allows it (allowAutoApprove); production normally still asks'),
      }),
      outputSchema: DeployReportSchema,
      // Runs commands that change the world outside Deckhand; a repeat deploys again.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    handle<{ branch: string; environment: string; auto_approve: boolean }>('deploy_with_review', async ({ branch, environment, auto_approve }, context, config) => {
      const report = await runDeploy(runtime, config, server, context, { kind: 'deploy', environment, branch, autoApprove: auto_approve });
      return ok(renderDeployReport(report), report);
    }),
  );

  server.registerTool(
    'rollback',
    {
      title: 'Roll back an environment',
      description:
        'Roll an environment back to the commit of its previous successful deploy (see deployment://history), behind the same ' +
        'config check, verdict and approval gate as deploy_with_review. Fails when there is no earlier deploy to return to.',
      inputSchema: z.object({
        environment: EnvironmentNameSchema,
        auto_approve: z.boolean().default(false).describe('Skip the person\'s approval where the environment allows it'),
      }),
      outputSchema: DeployReportSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    handle<{ environment: string; auto_approve: boolean }>('rollback', async ({ environment, auto_approve }, context, config) => {
      const report = await runDeploy(runtime, config, server, context, { kind: 'rollback', environment, autoApprove: auto_approve });
      return ok(renderDeployReport(report), report);
    }),
  );

  server.registerTool(
    'troubleshoot_issue',
    {
      title: 'Troubleshoot an issue',
      description:
        'Diagnose a production issue (e.g. "API returning 500 errors"): tails a log under the allowed log directories, groups its ' +
        'errors by signature with counts and first/last seen, reads real system metrics (CPU load, memory, disk, uptime; Prometheus ' +
        'when configured), and returns a root-cause analysis with severity, diagnostic steps, fixes and prevention.',
      inputSchema: z.object({
        description: z.string().trim().min(3).max(2_000).describe('What is wrong, in plain words, e.g. "API returning 500 errors on /users"'),
        log_file: z
          .string()
          .trim()
          .min(1)
          .max(1_000)
          .optional()
          .describe('A log file name under devops.logDirs (e.g. app.log), or an absolute path inside one; default the most recent log there'),
        include_metrics: z.boolean().default(true).describe('Also collect system metrics'),
        lines: z.number().int().min(10).max(10_000).optional().describe('How many of the last log lines to read (default 500)'),
      }),
      outputSchema: TroubleshootReportSchema,
      // Reads files and metrics only; asking a model changes nothing.
      annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: true },
    },
    handle<{ description: string; log_file?: string; include_metrics: boolean; lines?: number }>('troubleshoot_issue', async (args, context, config) => {
      const report = await troubleshoot(runtime, config, server, context, { description: args.description, logFile: args.log_file, includeMetrics: args.include_metrics, lines: args.lines });
      return ok(renderTroubleshootReport(report), report);
    }),
  );

  registerDevopsResources(server, runtime);
  return server;
}
