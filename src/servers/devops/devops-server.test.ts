/**
 * The devops server through a real MCP client over a real temporary git repository, a fake deploy script and a
 * test script, on the one server harness (`forEachBackend`): SQLite through the bundled server over stdio, and
 * PostgreSQL in-process. The client answers sampling with scripted JSON and elicitation with accept or decline;
 * the server's own model is the OpenAI wire fake.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIFake } from '../../../test/fakes/openai-fake.js';
import { forEachBackend, resultText } from '../testing/server-harness.js';
import { listCommands, verifyCommandLog } from './command-log.js';
import type { DeployReport, TroubleshootReport } from './schemas.js';
import { type DevopsHarness, type DevopsHarnessOptions, openDevops } from './testing/devops-harness.js';


const DEPLOY_VERDICT = {
  recommendation: 'DEPLOY',
  risk_level: 'low',
  reasoning: 'Small change, tests pass.',
  concerns: [],
  deployment_checklist: ['Watch the error rate'],
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const report = (result: CallToolResult): DeployReport => {
  if (result.isError) throw new Error(`unexpected tool error: ${resultText(result)}`);
  return result.structuredContent as unknown as DeployReport;
};

async function history(client: Client): Promise<{ deployments: Array<{ id: string; environment: string; status: string; sha: string; approver: string | null }>; next_cursor: string | null }> {
  const read = await client.readResource({ uri: 'deployment://history' });
  const first = read.contents[0];
  return JSON.parse(first && 'text' in first ? first.text : '{}');
}

// SQLite in-process: each test opens its own server (fresh repository, config and history), and a process per test
// would cost more than it proves; test/devops-e2e.test.ts drives the real server process from the CLI.
await forEachBackend('devops server', ({ label, open }) => {
  /** A devops server on this backend over a fresh fixture repository, closed after the test. */
  const harness = async (options: DevopsHarnessOptions = {}): Promise<DevopsHarness> => {
    const h = await openDevops(open, options);
    cleanups.push(() => h.close());
    return h;
  };
  /**
   * A test of what the server judges and runs (git review, test output, config checks, verdict parsing, logs,
   * metrics, refusals), which the database only records: SQLite alone. Every test that reads back what is stored
   * (history, the command chain, the deploy lock, usage, rollback targets) runs on both backends (`it`).
   */
  const sqliteOnly = !label.startsWith('PostgreSQL');
  const logicTest = (name: string, test: () => Promise<void>): void => {
    if (sqliteOnly) it(name, test);
  };
  /** A suite of such tests only. */
  const logicSuite = (name: string, suite: () => void): void => {
    if (sqliteOnly) describe(name, suite);
  };

  describe(`devops server: ${label}`, () => {
    describe('deploy_with_review', () => {
      it('staging: reviews the real commits, runs the tests, deploys on a sampled DEPLOY, and the deploy is in history', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT) });
        const result = report(await h.call('deploy_with_review', { branch: 'main', environment: 'staging' }));
        const head = h.fixture.sha('main');
        expect(result).toMatchObject({
          status: 'succeeded',
          deployed: true,
          environment: 'staging',
          branch: 'main',
          commit: head,
          previous_commit: null,
          tests: { status: 'passed', passed: 4, exit_code: 0 },
          config: { required: ['API_URL'], missing: [] },
          verdict: { recommendation: 'DEPLOY', risk_level: 'low' },
          verdict_source: 'sampling:client-model',
          execution: { exit_code: 0, timed_out: false },
        });
        expect(result.review.commits.map((commit) => commit.subject)).toEqual(['feat: add numbers', 'chore: start the app']);
        expect(h.fixture.deployed()).toEqual([`staging ${head}`]);
        // The model was asked to judge real facts: the commits are in the prompt, the config values are not.
        const prompt = JSON.stringify(h.sampled[0]);
        expect(prompt).toContain('feat: add numbers');
        expect(prompt).not.toContain('api.example.test');
        expect(resultText(await h.call('deploy_with_review', { branch: 'main', environment: 'staging' }))).toContain('SUCCEEDED');

        const listed = await history(h.client);
        expect(listed.deployments[0]).toMatchObject({ environment: 'staging', status: 'succeeded', sha: head });
        const one = await h.client.readResource({ uri: `deployment://${result.deployment_id}` });
        const detail = JSON.parse((one.contents[0] as { text: string }).text) as { commands: Array<{ purpose: string; argv: string[]; exitCode: number }> };
        expect(detail.commands.map((command) => command.purpose)).toEqual(expect.arrayContaining(['git', 'test', 'deploy']));
      });

      logicTest('sends progress notifications for each phase, in increasing order', async () => {
        const h = await harness();
        const progress: Array<{ progress: number; total?: number; message?: string }> = [];
        const result = (await h.client.callTool({ name: 'deploy_with_review', arguments: { environment: 'staging' } }, { onprogress: (update) => progress.push(update) })) as CallToolResult;
        expect(report(result).status).toBe('succeeded');
        const messages = progress.map((update) => update.message ?? '');
        for (const phase of ['reviewing changes', 'running tests', 'checking config', 'judging the facts', 'passing the gate', 'running the deploy command']) {
          expect(messages.some((message) => message.startsWith(phase)), phase).toBe(true);
        }
        expect(progress.every((update, index) => index === 0 || update.progress > progress[index - 1]!.progress)).toBe(true);
        expect(progress[0]?.total).toBe(6);
      });

      it('the second deploy of an environment reviews only what changed since the last successful one', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT) });
        const first = report(await h.call('deploy_with_review', { environment: 'staging' }));
        h.fixture.commit('db/migrations/0002_users.sql', 'create table users (id int);\n', 'feat!: users table\n\nBREAKING CHANGE: new schema');
        h.fixture.commit('src/app.js', 'export function sum(a, b) {\n  return a + b;\n}\n', 'refactor: rename add');
        h.fixture.commit('package.json', JSON.stringify({ name: 'app', dependencies: { express: '^5.1.0' } }, null, 2), 'chore: express 5');
        const second = report(await h.call('deploy_with_review', { environment: 'staging' }));
        expect(second.previous_commit).toBe(first.commit);
        expect(second.review.commits.map((commit) => commit.subject)).toEqual(['chore: express 5', 'refactor: rename add', 'feat!: users table']);
        expect(second.review.signals.map((signal) => signal.kind)).toEqual(expect.arrayContaining(['migration', 'deleted-export', 'breaking-commit', 'dependency-major-bump']));
        expect(second.review.signals.find((signal) => signal.kind === 'dependency-major-bump')?.detail).toBe('express ^4.18.0 → ^5.1.0');
        expect(second.review.signals.find((signal) => signal.kind === 'deleted-export')?.detail).toContain('add');
      });

      logicTest('production without approval (declined) does not run the deploy command', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT), elicit: () => ({ action: 'decline' }) });
        const result = report(await h.call('deploy_with_review', { branch: 'main', environment: 'production' }));
        expect(result).toMatchObject({ status: 'declined', deployed: false, execution: null, verdict: { recommendation: 'DEPLOY' } });
        expect(h.elicited).toHaveLength(1);
        expect(h.elicited[0]?.message).toContain('Approve this deploy to production?');
        expect(h.fixture.deployed()).toEqual([]);
        expect((await listCommands(h.db)).filter((command) => command.purpose === 'deploy')).toEqual([]);
      });

      it('production with a person\'s approval deploys, and the command record names who approved', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT), elicit: () => ({ action: 'accept', content: { approve: true, approver: 'Ana' } }) });
        const result = report(await h.call('deploy_with_review', { branch: 'main', environment: 'production' }));
        expect(result).toMatchObject({ status: 'succeeded', approver: 'Ana (elicitation)' });
        const deploys = (await listCommands(h.db)).filter((command) => command.purpose === 'deploy');
        expect(deploys).toMatchObject([{ argv: [h.fixture.deployScript, 'production', result.commit], exitCode: 0, approvedBy: 'Ana (elicitation)' }]);
        expect(deploys[0]?.durationMs).toBeGreaterThanOrEqual(0);
      });

      logicTest('production with a client that cannot ask a person is blocked, even with auto_approve (not allowed by the policy)', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT) });
        const result = report(await h.call('deploy_with_review', { environment: 'production', auto_approve: true }));
        expect(result.status).toBe('blocked');
        expect(result.gate_note).toMatch(/cannot ask one.*allowAutoApprove/s);
        expect(h.fixture.deployed()).toEqual([]);
      });

      logicTest('failing tests veto even when the sampled verdict says DEPLOY', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT) });
        h.fixture.failTests(true);
        const result = report(await h.call('deploy_with_review', { environment: 'staging' }));
        expect(result).toMatchObject({
          status: 'blocked',
          deployed: false,
          tests: { status: 'failed', failed: 1, passed: 3 },
          verdict: { recommendation: 'DO_NOT_DEPLOY', risk_level: 'high' },
          verdict_source: 'sampling:client-model',
        });
        expect(result.vetoed_by[0]).toContain('tests failed');
        expect(result.tests.output_tail).toContain('FAIL app.test.js');
        expect(h.fixture.deployed()).toEqual([]);
      });

      logicTest('missing required config vetoes, and reports name the keys, never the values', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT), env: { API_URL: '' } });
        const result = await h.call('deploy_with_review', { environment: 'staging' });
        expect(report(result)).toMatchObject({ status: 'blocked', config: { missing: ['API_URL'] } });
        expect(JSON.stringify(result)).not.toContain('secret@db');
      });

      logicTest('invalid sampled JSON falls back to the rule-based verdict (and says so)', async () => {
        const h = await harness({ sample: () => 'Sure! I think you should deploy. {"recommendation": "YES"' });
        const result = report(await h.call('deploy_with_review', { environment: 'staging' }));
        expect(result).toMatchObject({ verdict_source: 'rules', status: 'succeeded', verdict: { recommendation: 'DEPLOY' } });
        expect(result.verdict_note).toMatch(/sampling:client-model answered, but the answer (is not valid JSON|holds no JSON|does not fit)/);
      });

      logicTest('with no model and no sampling the rules decide from the facts', async () => {
        const h = await harness();
        const result = report(await h.call('deploy_with_review', { environment: 'staging' }));
        expect(result).toMatchObject({ verdict_source: 'rules', status: 'succeeded' });
        expect(result.verdict_note).toContain('no devops.model is configured and the client does not offer sampling');
      });

      it('concurrent deploys to one environment: the second is refused with "in progress"', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT) });
        h.fixture.holdDeploys(true);
        const first = h.call('deploy_with_review', { environment: 'staging' });
        for (let poll = 0; poll < 400 && !h.fixture.deployStarted(); poll++) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(h.fixture.deployStarted()).toBe(true);
        const second = await h.call('deploy_with_review', { environment: 'staging' });
        expect(second.isError).toBe(true);
        expect(resultText(second)).toMatch(/A deploy to staging is in progress \(dep_/);
        h.fixture.release();
        expect(report(await first).status).toBe('succeeded');
        expect(h.fixture.deployed()).toHaveLength(1);
      });

      logicTest('an unknown branch or environment is a clear tool error naming what exists', async () => {
        const h = await harness();
        expect(resultText(await h.call('deploy_with_review', { branch: 'nope', environment: 'staging' }))).toMatch(/No branch or commit "nope".*Branches: main/);
        expect(resultText(await h.call('deploy_with_review', { branch: '--upload-pack=evil', environment: 'staging' }))).toMatch(/is not a branch name/);
        expect(resultText(await h.call('deploy_with_review', { environment: 'qa' }))).toMatch(/No environment "qa".*staging, production/);
      });

      it('the server\'s own model (devops.model) judges through the provider layer, its usage and budget in system://health', async () => {
        const fake = (await startOpenAIFake([{ text: `\`\`\`json\n${JSON.stringify(DEPLOY_VERDICT)}\n\`\`\``, usage: { inputTokens: 1_000, outputTokens: 100 } }]));
        cleanups.push(() => fake.close());
        const h = await harness({
          config: { model: 'openai:gpt-4.1-mini', budgetUsd: 0.5 },
          env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` },
          sample: () => 'never asked',
        });
        const result = report(await h.call('deploy_with_review', { environment: 'staging' }));
        expect(result).toMatchObject({ verdict_source: 'model:openai:gpt-4.1-mini', status: 'succeeded' });
        expect(h.sampled).toEqual([]);
        expect(JSON.stringify(fake.requests[0]?.body)).toContain('feat: add numbers');
        const health = JSON.parse(((await h.client.readResource({ uri: 'system://health' })).contents[0] as { text: string }).text);
        const cost = 1_000 * 0.4e-6 + 100 * 1.6e-6;
        expect(health).toMatchObject({ configured: true, deployments: { total: 1, by_status: { succeeded: 1 } }, command_log: { ok: true } });
        expect(health.model.spent_usd).toBeCloseTo(cost, 10);
        expect(health.model.budget_left_usd).toBeCloseTo(0.5 - cost, 10);
        expect(health.model.usage).toMatchObject([{ source: 'own', model: 'openai:gpt-4.1-mini', calls: 1, input_tokens: 1_000, output_tokens: 100 }]);
        expect(health.memory.total_bytes).toBeGreaterThan(0);
        expect(health.cpu.cores).toBeGreaterThan(0);
      });

      logicTest('prices its own model with the host\'s pricing overrides (DECKHAND_PRICING) over the registry, as the host does', async () => {
        const fake = await startOpenAIFake([{ text: JSON.stringify(DEPLOY_VERDICT), usage: { inputTokens: 1_000, outputTokens: 100 } }]);
        cleanups.push(() => fake.close());
        const h = await harness({
          config: { model: 'openai:gpt-4.1-mini', budgetUsd: 0.5 },
          env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_PRICING: JSON.stringify({ 'openai:gpt-4.1-mini': { inputPerMTok: 100, outputPerMTok: 1_000 } }) },
          sample: () => 'never asked',
        });
        expect(report(await h.call('deploy_with_review', { environment: 'staging' }))).toMatchObject({ verdict_source: 'model:openai:gpt-4.1-mini' });
        const health = JSON.parse(((await h.client.readResource({ uri: 'system://health' })).contents[0] as { text: string }).text);
        expect(health.model.spent_usd).toBeCloseTo(1_000 * 100e-6 + 100 * 1_000e-6, 10);
      });

      logicTest('says what is wrong with a malformed DECKHAND_PRICING instead of pricing silently', async () => {
        const h = await harness({ config: { model: 'openai:gpt-4.1-mini', budgetUsd: 0.5 }, env: { OPENAI_API_KEY: 'sk-test', DECKHAND_PRICING: '{"openai:gpt-4.1-mini":{"inputPerMTok":-1}}' }, sample: () => JSON.stringify(DEPLOY_VERDICT) });
        const health = JSON.parse(((await h.client.readResource({ uri: 'system://health' })).contents[0] as { text: string }).text);
        expect(health.model.own_problem).toMatch(/DECKHAND_PRICING is not a valid pricing section/);
      });
    });

    describe('rollback', () => {
      it('returns the environment to the previous successful deploy, and refuses when there is none', async () => {
        const h = await harness();
        expect(resultText(await h.call('rollback', { environment: 'staging' }))).toMatch(/no successful deploy yet/);
        const first = report(await h.call('deploy_with_review', { environment: 'staging' }));
        const next = h.fixture.commit('src/extra.js', 'export const x = 1;\n', 'feat: extra');
        report(await h.call('deploy_with_review', { environment: 'staging' }));
        const back = report(await h.call('rollback', { environment: 'staging' }));
        expect(back).toMatchObject({ kind: 'rollback', status: 'succeeded', commit: first.commit, previous_commit: next, tests: { status: 'skipped' } });
        expect(h.fixture.deployed().at(-1)).toBe(`staging ${first.commit}`);
      });
    });

    describe('audit: every command is recorded', () => {
      it('argv, exit code, duration and approver of each command, in a hash chain that detects tampering', async () => {
        const h = await harness();
        const result = report(await h.call('deploy_with_review', { environment: 'staging' }));
        const commands = await listCommands(h.db, result.deployment_id);
        expect(commands.map((command) => command.argv[0])).toEqual(expect.arrayContaining(['git', h.fixture.testScript, h.fixture.deployScript]));
        expect(commands.every((command) => typeof command.exitCode === 'number' && command.durationMs >= 0)).toBe(true);
        expect(commands.find((command) => command.purpose === 'deploy')?.approvedBy).toMatch(/not required/);
        expect(await verifyCommandLog(h.db)).toEqual({ ok: true, entries: commands.length });
        await h.db.updateTable('devops_commands').set({ exit_code: 0 }).where('purpose', '=', 'test').execute();
        await h.db.updateTable('devops_commands').set({ argv: '["true"]' }).where('seq', '=', 1).execute();
        expect(await verifyCommandLog(h.db)).toMatchObject({ ok: false, brokenAt: 1 });
      });
    });

    logicSuite('troubleshoot_issue', () => {
      const LOG = [
        '2026-12-01T10:00:00Z INFO server started',
        '2026-12-01T10:01:00Z ERROR connect ECONNREFUSED 10.0.0.5:5432 (request 81)',
        '2026-12-01T10:02:00Z ERROR connect ECONNREFUSED 10.0.0.5:5432 (request 97)',
        '{"level":50,"time":1764583380000,"msg":"request failed with 500"}',
        '2026-12-01T10:04:00Z ERROR connect ECONNREFUSED 10.0.0.5:5432 (request 133)',
      ].join('\n');

      it('tails the log, groups errors by signature with counts and first/last seen, adds real metrics, and analyses (rules)', async () => {
        const h = await harness();
        writeFileSync(join(h.fixture.logDir, 'app.log'), `${'filler line\n'.repeat(5_000)}${LOG}\n`);
        const result = await h.call('troubleshoot_issue', { description: 'API returning 500 errors', log_file: 'app.log', lines: 50 });
        const body = result.structuredContent as unknown as TroubleshootReport;
        expect(body.log).toMatchObject({ lines_read: 50, error_lines: 4 });
        expect(body.log?.groups[0]).toMatchObject({ count: 3, first_seen: '2026-12-01T10:01:00Z', last_seen: '2026-12-01T10:04:00Z' });
        expect(body.log?.groups[0]?.signature).toContain('ECONNREFUSED');
        expect(body.metrics).toMatchObject({ cpu: { cores: expect.any(Number) }, memory: { total_bytes: expect.any(Number) } });
        expect(body.analysis_source).toBe('rules');
        for (const section of ['Root Cause Analysis', 'Severity', 'Diagnostic Steps', 'Recommended Fixes', 'Prevention']) expect(body.analysis).toContain(`## ${section}`);
        expect(body.analysis).toContain('refuses connections');
      });

      it('reads targets down and firing alerts from the Prometheus HTTP API when prometheusUrl is set', async () => {
        const prometheus = createServer((request, response) => {
          response.setHeader('content-type', 'application/json');
          if (request.url?.startsWith('/api/v1/query')) {
            response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'api', instance: 'a:9100' }, value: [1, '1'] }, { metric: { job: 'db', instance: 'b:9187' }, value: [1, '0'] }] } }));
          } else if (request.url === '/api/v1/alerts') {
            response.end(JSON.stringify({ status: 'success', data: { alerts: [{ state: 'firing', labels: { alertname: 'PostgresDown', severity: 'critical' }, annotations: { summary: 'db is down' } }, { state: 'pending', labels: { alertname: 'Slow' } }] } }));
          } else {
            response.statusCode = 404;
            response.end('{}');
          }
        });
        await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
        cleanups.push(() => new Promise((resolve) => prometheus.close(() => resolve())));
        const h = await harness({ config: { prometheusUrl: `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}` } });
        writeFileSync(join(h.fixture.logDir, 'app.log'), `${LOG}\n`);
        const body = (await h.call('troubleshoot_issue', { description: 'API returning 500 errors' })).structuredContent as unknown as TroubleshootReport;
        expect(body.metrics?.prometheus).toEqual({
          reachable: true,
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          targets_up: 1,
          targets_down: ['db/b:9187'],
          firing_alerts: [{ name: 'PostgresDown', severity: 'critical', summary: 'db is down' }],
        });
      });

      it('asks the client\'s model when it can, and keeps its analysis when it has the five sections', async () => {
        const analysis = '## Root Cause Analysis\nThe database is down.\n## Severity\nhigh\n## Diagnostic Steps\n- x\n## Recommended Fixes\n- y\n## Prevention\n- z';
        const h = await harness({ sample: () => analysis });
        writeFileSync(join(h.fixture.logDir, 'app.log'), `${LOG}\n`);
        const body = (await h.call('troubleshoot_issue', { description: 'API returning 500 errors', include_metrics: false })).structuredContent as unknown as TroubleshootReport;
        expect(body).toMatchObject({ analysis_source: 'sampling:client-model', analysis, metrics: null });
        expect(JSON.stringify(h.sampled[0])).toContain('ECONNREFUSED');
      });

      it('refuses ../../etc/passwd, an absolute path outside, a symlink out of the log directory, and a directory', async () => {
        const h = await harness();
        symlinkSync('/etc/passwd', join(h.fixture.logDir, 'escape.log'));
        for (const logFile of ['../../etc/passwd', '/etc/passwd', 'escape.log']) {
          const result = await h.call('troubleshoot_issue', { description: 'look', log_file: logFile });
          expect(result.isError, logFile).toBe(true);
          expect(resultText(result)).toMatch(/Refused: .*outside the allowed log directories/);
        }
        const dir = await h.call('troubleshoot_issue', { description: 'look', log_file: '.' });
        expect(resultText(dir)).toMatch(/not a regular file \(a directory\)/);
        const device = await h.call('troubleshoot_issue', { description: 'look', log_file: '/dev/zero' });
        expect(resultText(device)).toMatch(/Refused/);
        // A sparse file over the limit costs no disk, and is refused by its size before anything is read.
        writeFileSync(join(h.fixture.logDir, 'huge.log'), '');
        truncateSync(join(h.fixture.logDir, 'huge.log'), 1024 ** 3 + 1);
        expect(resultText(await h.call('troubleshoot_issue', { description: 'look', log_file: 'huge.log' }))).toMatch(/Refused: huge.log is 1024 MB, over the 1 GB limit/);
      });
    });

    logicSuite('without a devops section', () => {
      it('starts, lists its tools, and every tool result says what to configure', async () => {
        const h = await harness({ config: null });
        const { tools } = await h.client.listTools();
        expect(tools.map((tool) => tool.name).sort()).toEqual(['deploy_with_review', 'rollback', 'troubleshoot_issue']);
        for (const [tool, args] of [
          ['deploy_with_review', { branch: 'main', environment: 'staging' }],
          ['rollback', { environment: 'staging' }],
          ['troubleshoot_issue', { description: 'API down' }],
        ] as const) {
          const result = await h.call(tool, args);
          expect(result.isError, tool).toBe(true);
          expect(resultText(result)).toContain('Add a "devops" section to deckhand.json');
        }
        const health = JSON.parse(((await h.client.readResource({ uri: 'system://health' })).contents[0] as { text: string }).text);
        expect(health).toMatchObject({ configured: false, deployments: { total: 0 } });
      });
    });

    describe('resources and prompts', () => {
      it('history is newest first and paginated; subscribers hear when it changes; the prompts read real data', async () => {
        const h = await harness();
        const updated: string[] = [];
        h.client.setNotificationHandler('notifications/resources/updated', (notification) => {
          updated.push(notification.params.uri);
        });
        await h.client.subscribeResource({ uri: 'deployment://history' });
        for (let index = 0; index < 3; index++) report(await h.call('deploy_with_review', { environment: 'staging' }));
        expect(updated.filter((uri) => uri === 'deployment://history').length).toBeGreaterThanOrEqual(3);
        const listed = await history(h.client);
        expect(listed.deployments).toHaveLength(3);
        expect([...listed.deployments.map((entry) => entry.id)].sort().reverse()).toEqual(listed.deployments.map((entry) => entry.id));
        const pageOne = JSON.parse(((await h.client.readResource({ uri: 'deployment://history?limit=2' })).contents[0] as { text: string }).text);
        expect(pageOne.deployments.map((entry: { id: string }) => entry.id)).toEqual(listed.deployments.slice(0, 2).map((entry) => entry.id));
        const pageTwo = JSON.parse(((await h.client.readResource({ uri: pageOne.next_uri })).contents[0] as { text: string }).text);
        expect(pageTwo).toMatchObject({ deployments: [{ id: listed.deployments[2]!.id }], next_cursor: null, next_uri: null });
        await expect(h.client.readResource({ uri: 'deployment://history?limit=0' })).rejects.toThrow(/limit must be a whole number/);
        await expect(h.client.readResource({ uri: 'deployment://dep_nope' })).rejects.toThrow(/No deployment dep_nope/);

        const notes = await h.client.getPrompt({ name: 'release_notes', arguments: { range: 'main~1..main' } });
        expect(JSON.stringify(notes.messages)).toContain('feat: add numbers');
        expect(JSON.stringify(notes.messages)).not.toContain('chore: start the app');
        const review = await h.client.getPrompt({ name: 'incident_review', arguments: { environment: 'staging' } });
        expect(JSON.stringify(review.messages)).toContain(listed.deployments[0]!.id);
        await expect(h.client.getPrompt({ name: 'incident_review', arguments: { environment: 'mars' } })).rejects.toThrow(/No deployments of mars/);
      });
    });

    describe('on every backend', () => {
      it('migrates its own tables, deploys, refuses a concurrent deploy, and keeps history, usage and the command chain', async () => {
        const h = await harness({ sample: () => JSON.stringify(DEPLOY_VERDICT) });
        h.fixture.holdDeploys(true);
        const first = h.call('deploy_with_review', { environment: 'staging' });
        for (let poll = 0; poll < 400 && !h.fixture.deployStarted(); poll++) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(resultText(await h.call('deploy_with_review', { environment: 'staging' }))).toMatch(/in progress/);
        h.fixture.release();
        const deployed = report(await first);
        expect(deployed).toMatchObject({ status: 'succeeded', verdict_source: 'sampling:client-model' });
        expect((await history(h.client)).deployments).toMatchObject([{ id: deployed.deployment_id, status: 'succeeded' }]);
        const health = JSON.parse(((await h.client.readResource({ uri: 'system://health' })).contents[0] as { text: string }).text);
        expect(health).toMatchObject({ deployments: { total: 1 }, model: { usage: [{ source: 'sampling', calls: 1 }] }, command_log: { ok: true } });
        expect(await verifyCommandLog(h.db)).toMatchObject({ ok: true });
      });
    });
  });
}, { sqlite: 'in-process' });
