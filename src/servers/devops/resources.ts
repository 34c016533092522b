/**
 * @module The devops server's resources and prompts: `deployment://history` (paginated, newest first),
 * `deployment://{id}`, `system://health`, with `notifications/resources/updated` to subscribers when history
 * changes; prompts `incident_review` and `release_notes`.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import { ProtocolError, ProtocolErrorCode, ResourceTemplate } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { ToolFailure } from '../shared/tool-failure.js';
import { embeddedJson, idVariable, jsonResource, notFound, unknownArgument } from '../shared/resource-content.js';
import { listCommands, verifyCommandLog } from './command-log.js';
import { DeploymentStore } from './deployment-store.js';
import { git } from './git-review.js';
import { ownSpentUsd } from './judge.js';
import { systemMetrics } from './metrics.js';
import { commandEnv, type DevopsRuntime } from './runtime.js';

export const HISTORY_URI = 'deployment://history';
export const HEALTH_URI = 'system://health';
const HISTORY_PAGE = 20;
const MAX_HISTORY_PAGE = 100;

/** The system://health document: the machine now, deploy counts, and model usage and budget from the store. */
export async function healthReport(runtime: DevopsRuntime) {
  const config = runtime.config.state === 'configured' ? runtime.config.config : undefined;
  const [metrics, counts, usage, spent, chain] = await Promise.all([
    systemMetrics(config ? [config.repo, ...config.logDirs] : []),
    new DeploymentStore(runtime.db).counts(),
    runtime.db
      .selectFrom('devops_model_usage')
      .select(['source', 'model', (eb) => eb.fn.countAll<number>().as('calls'), (eb) => eb.fn.sum<number>('input_tokens').as('input_tokens'), (eb) => eb.fn.sum<number>('output_tokens').as('output_tokens'), (eb) => eb.fn.sum<number>('cost_usd').as('cost_usd'), (eb) => eb.fn.sum<number>('ok').as('valid_answers')])
      .groupBy(['source', 'model'])
      .execute(),
    ownSpentUsd(runtime.db),
    verifyCommandLog(runtime.db),
  ]);
  const failing = metrics.memory.used_percent >= 95 || metrics.disks.some((disk) => disk.used_percent >= 95);
  return {
    status: runtime.config.state === 'invalid' ? 'misconfigured' : failing ? 'degraded' : 'healthy',
    configured: runtime.config.state === 'configured',
    ...(runtime.config.state === 'invalid' ? { config_problem: runtime.config.problem } : {}),
    ...metrics,
    server_uptime_s: Math.round((Date.now() - runtime.startedAt) / 1000),
    deployments: { total: Object.values(counts).reduce((sum, count) => sum + count, 0), by_status: counts },
    model: {
      own: config?.model ?? null,
      own_problem: runtime.ownProblem ?? null,
      budget_usd: config?.model ? config.budgetUsd : null,
      spent_usd: spent,
      budget_left_usd: config?.model ? Math.max(0, config.budgetUsd - spent) : null,
      usage: usage.map((row) => ({ source: row.source, model: row.model, calls: Number(row.calls), input_tokens: Number(row.input_tokens ?? 0), output_tokens: Number(row.output_tokens ?? 0), cost_usd: Number(row.cost_usd ?? 0), valid_answers: Number(row.valid_answers ?? 0) })),
    },
    command_log: chain,
  };
}

export function registerDevopsResources(server: McpServer, runtime: DevopsRuntime): void {
  const store = new DeploymentStore(runtime.db);
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });

  const subscribed = new Set<string>();
  server.server.setRequestHandler('resources/subscribe', async (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  const onHistory = () => {
    for (const uri of [HISTORY_URI, HEALTH_URI]) {
      if (subscribed.has(uri)) void server.server.sendResourceUpdated({ uri }).catch(() => {});
    }
  };
  runtime.events.on('history', onHistory);
  const previousClose = server.server.onclose;
  server.server.onclose = () => {
    runtime.events.off('history', onHistory);
    previousClose?.();
  };

  const historyPage = async (uri: URL) => {
    await runtime.ready();
    const cursor = uri.searchParams.get('cursor') ?? undefined;
    const environment = uri.searchParams.get('environment') ?? undefined;
    const limitParam = uri.searchParams.get('limit');
    const limit = limitParam === null ? HISTORY_PAGE : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `limit must be a whole number from 1 to ${MAX_HISTORY_PAGE}, e.g. ${HISTORY_URI}?limit=20.`);
    }
    let page;
    try {
      page = await store.page({ limit, ...(cursor ? { cursor } : {}), ...(environment ? { environment } : {}) });
    } catch (error) {
      if (error instanceof ToolFailure) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
      throw error;
    }
    const query = new URLSearchParams({ ...(page.next_cursor ? { cursor: page.next_cursor } : {}), ...(environment ? { environment } : {}), ...(limitParam !== null ? { limit: String(limit) } : {}) });
    return jsonResource(uri, { ...page, next_uri: page.next_cursor ? `${HISTORY_URI}?${query}` : null });
  };

  server.registerResource(
    'deployment-history',
    HISTORY_URI,
    {
      title: 'Deployment history',
      description: `Deploys and rollbacks, newest first, ${HISTORY_PAGE} per page (?limit=1-${MAX_HISTORY_PAGE}, ?environment=…): status, environment, commit, verdict, approver, duration. Read next_uri for the next page. Subscribe to hear when it changes.`,
      mimeType: 'application/json',
    },
    async (uri) => historyPage(uri),
  );

  server.registerResource(
    'deployment',
    new ResourceTemplate('deployment://{id}', { list: undefined }),
    { title: 'Deployment', description: 'One deploy or rollback (e.g. deployment://dep_…): its full report and every command it ran.', mimeType: 'application/json' },
    async (uri, variables) => {
      await runtime.ready();
      const id = idVariable(variables, 'id');
      // deployment://history?cursor=… is the history resource with a page cursor, not a deployment id.
      if (id === 'history' || id.startsWith('history?')) return historyPage(uri);
      const deployment = await store.get(id);
      if (!deployment) notFound(uri, `deployment ${id}`, `See ${HISTORY_URI} for deployment ids.`);
      const row = await runtime.db.selectFrom('devops_deployments').select('report').where('id', '=', id).executeTakeFirst();
      return jsonResource(uri, { ...deployment, report: row?.report ? (JSON.parse(row.report) as unknown) : null, commands: await listCommands(runtime.db, id) });
    },
  );

  server.registerResource(
    'system-health',
    HEALTH_URI,
    {
      title: 'System health',
      description: 'Real uptime, CPU load, memory and disk of this machine; deploy counts; the model usage and the budget left; whether the command log chain verifies.',
      mimeType: 'application/json',
    },
    async (uri) => {
      await runtime.ready();
      return jsonResource(uri, await healthReport(runtime));
    },
  );

  server.registerPrompt(
    'incident_review',
    {
      title: 'Incident review',
      description: 'Write a blameless incident review of an environment from its recent deployments (status, verdicts, output tails) and system health.',
      argsSchema: z.object({ environment: z.string().trim().min(1).max(32).describe('Environment, e.g. production') }),
    },
    async ({ environment }) => {
      await runtime.ready();
      const page = await store.page({ limit: 10, environment });
      if (page.deployments.length === 0) unknownArgument(`No deployments of ${environment} are recorded. Read ${HISTORY_URI} for the environments deployed so far.`);
      return {
        description: `Incident review of ${environment}`,
        messages: [
          { role: 'user', content: embeddedJson(`${HISTORY_URI}?environment=${environment}`, page.deployments) },
          { role: 'user', content: embeddedJson(HEALTH_URI, await healthReport(runtime)) },
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `Write a blameless incident review for ${environment}: a timeline from the deployments above (times are UTC), what failed ` +
                'and its impact, the contributing factors the data shows, and follow-up actions with owners left blank. Do not state anything the data does not support.',
            },
          },
        ],
      };
    },
  );

  server.registerPrompt(
    'release_notes',
    {
      title: 'Release notes',
      description: 'Draft release notes for a git range (e.g. v1.2.0..main) from its real commit log.',
      argsSchema: z.object({ range: z.string().trim().min(1).max(200).describe('A git range, e.g. v1.2.0..main, or one ref for its recent history') }),
    },
    async ({ range }) => {
      if (runtime.config.state !== 'configured') unknownArgument('The devops server has no configuration (a "devops" section with "repo"), so it has no repository to read.');
      await runtime.ready();
      const config = runtime.config.config;
      if (!/^[A-Za-z0-9._/@^~-]+(\.\.\.?[A-Za-z0-9._/@^~-]+)?$/.test(range) || range.startsWith('-')) unknownArgument(`"${range}" is not a git range: use e.g. v1.2.0..main.`);
      let log: string;
      try {
        log = await git({ db: runtime.db, repo: config.repo, env: commandEnv(runtime, config), deploymentId: null }, ['log', '--max-count=200', '--no-merges', '--format=%h %s (%an)', range]);
      } catch (error) {
        unknownArgument(`${(error as Error).message}. Use refs that exist in ${config.repo}.`);
      }
      return {
        description: `Release notes for ${range}`,
        messages: [
          { role: 'user', content: { type: 'text', text: `Commits in ${range}:\n${log.trim() || '(none)'}` } },
          {
            role: 'user',
            content: {
              type: 'text',
              text: 'Draft release notes from these commits: group them under Features, Fixes, Breaking changes and Other; one line per change in plain words; leave out chores. Mention nothing the commits do not show.',
            },
          },
        ],
      };
    },
  );
}
