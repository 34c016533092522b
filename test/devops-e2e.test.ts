/**
 * "deploy main to staging" / "… to production" through the whole host: real `deckhand run` processes spawning the
 * built-in servers (devops among them) on a temporary git repository with a fake deploy script, with the scripted
 * OpenAI wire fake as the model (the devops server samples its verdict through the host), and with the offline
 * planner (no key).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo } from '../src/servers/devops/testing/fixture-repo.js';
import { startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { type CliResult, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const MODEL = 'openai:gpt-4.1-mini';
const MAX_POLLS = 150;
/** Each case runs several CLI processes that spawn all six servers: slow on shared cores, bounded all the same. */
const CASE_TIMEOUT_MS = 240_000;
const VERDICT = { recommendation: 'DEPLOY', risk_level: 'low', reasoning: 'Two small commits; tests pass.', concerns: [], deployment_checklist: ['Watch errors'] };

const fakes: FakeProvider<unknown>[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

interface Workspace {
  readonly fixture: FixtureRepo;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
}

async function workspace(extraEnv: Record<string, string> = {}): Promise<Workspace> {
  const fixture = createFixtureRepo();
  const { home, cwd } = freshWorkspace();
  const deploy = [fixture.deployScript, '{environment}', '{sha}'];
  writeFileSync(
    join(cwd, 'deckhand.json'),
    JSON.stringify({
      devops: {
        repo: fixture.repo,
        testCommand: [fixture.testScript],
        logDirs: [fixture.logDir],
        environments: {
          staging: { deploy, requiredConfig: ['API_URL'] },
          production: { deploy, requiredConfig: ['API_URL'], requireApproval: true },
        },
      },
    }),
  );
  const env = cliEnv(home, { API_URL: 'https://api.example.test', ...extraEnv });
  const cli = (args: string[], timeoutMs = 60_000) => runCli(args, { env, cwd, timeoutMs });
  // Create the store first: several processes migrating one fresh database at once can collide.
  expect((await cli(['approvals', 'list', '--json'])).code).toBe(0);
  return { fixture, env, cwd, cli };
}

async function fakeModel(script: FakeTurn[]): Promise<FakeProvider<unknown>> {
  const fake = (await startOpenAIFake(script)) as FakeProvider<unknown>;
  fakes.push(fake);
  return fake;
}

const deployCall = (environment: string): FakeTurn => ({
  text: `Deploying main to ${environment}.`,
  toolCalls: [{ name: 'devops__deploy_with_review', args: { branch: 'main', environment } }],
  usage: { inputTokens: 500, outputTokens: 20 },
});

const toolEvent = (result: CliResult) => parseJsonLines(result.stdout).find((event) => event.type === 'tool-result' || event.type === 'tool-error');

describe('deckhand run: deploy through the whole host', () => {
  it('"deploy main to staging" with the scripted model: the verdict is sampled through the host, and staging is deployed', async () => {
    const ws = await workspace();
    const fake = await fakeModel([deployCall('staging'), { text: JSON.stringify(VERDICT), usage: { inputTokens: 300, outputTokens: 60 } }, { text: 'Deployed main to staging.' }]);
    const env = { ...ws.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` };
    const result = await runCli(['run', 'deploy main to staging', '--model', MODEL, '--json', '--yes'], { env, cwd: ws.cwd, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(toolEvent(result)).toMatchObject({ type: 'tool-result', server: 'devops', tool: 'deploy_with_review' });
    expect(String(toolEvent(result)?.output)).toContain('SUCCEEDED');
    expect(ws.fixture.deployed()).toEqual([`staging ${ws.fixture.sha('main')}`]);
    // The sampling request carried the real facts, and was charged to the run.
    expect(JSON.stringify(fake.requests[1]?.body)).toContain('feat: add numbers');
    const audit = JSON.parse((await runCli(['audit', 'list', '--json'], { env, cwd: ws.cwd })).stdout) as Array<{ action: string; details: Record<string, unknown> }>;
    expect(audit.find((entry) => entry.action === 'sampling')?.details).toMatchObject({ server: 'devops', inputTokens: 300 });
  }, CASE_TIMEOUT_MS);

  it('"deploy main to production": pauses for a person (exit 3, listed by deckhand approvals); once approved, the server asks again through elicitation, and deploys when that is approved too', async () => {
    const ws = await workspace();
    const fake = await fakeModel([deployCall('production'), { text: JSON.stringify(VERDICT) }, { text: 'Deployed main to production.' }]);
    const env = { ...ws.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` };
    const cli = (args: string[], timeoutMs = 60_000) => runCli(args, { env, cwd: ws.cwd, timeoutMs });

    const paused = await cli(['run', 'deploy main to production', '--model', MODEL, '--json']);
    expect(paused.code, paused.stderr).toBe(3);
    expect(ws.fixture.deployed()).toEqual([]);
    const pending = JSON.parse((await cli(['approvals', 'list', '--json'])).stdout) as Array<{ id: string; runId: string; server: string; tool: string; kind: string }>;
    expect(pending).toMatchObject([{ server: 'devops', tool: 'deploy_with_review', status: 'pending' }]);
    const [call] = pending;
    expect((await cli(['approvals', 'approve', call!.id])).code).toBe(0);

    let resumed: CliResult | undefined;
    const running = cli(['resume', call!.runId, '--json'], 90_000).then((result) => (resumed = result));
    let elicitation: { id: string; args: { message: string } } | undefined;
    for (let poll = 0; poll < MAX_POLLS && !elicitation && !resumed; poll++) {
      const rows = JSON.parse((await cli(['approvals', 'list', '--json'])).stdout) as Array<{ id: string; kind: string; args: { message: string } }>;
      elicitation = rows.find((row) => row.kind === 'elicitation');
      if (!elicitation) await sleep(100);
    }
    expect(elicitation, resumed ? `resume exited ${resumed.code}: ${resumed.stdout.slice(-1_500)}` : 'no elicitation').toBeDefined();
    expect(elicitation!.args.message).toContain('Approve this deploy to production?');
    expect(ws.fixture.deployed()).toEqual([]);
    expect((await cli(['approvals', 'approve', elicitation!.id, '--args', '{"approve":true,"approver":"Ana"}'])).code).toBe(0);
    await running;
    expect(resumed!.code, resumed!.stderr).toBe(0);
    expect(String(toolEvent(resumed!)?.output)).toContain('Approved: Ana (elicitation)');
    expect(ws.fixture.deployed()).toEqual([`production ${ws.fixture.sha('main')}`]);
  }, CASE_TIMEOUT_MS);

  it('with the offline planner (no key): deploys staging, and for production pauses for a person (exit 3)', async () => {
    const ws = await workspace();
    const staging = await ws.cli(['run', 'deploy main to staging', '--json', '--yes'], 90_000);
    expect(staging.code, staging.stderr).toBe(0);
    expect(parseJsonLines(staging.stdout).find((event) => event.type === 'tool-call')).toMatchObject({ server: 'devops', tool: 'deploy_with_review', args: { branch: 'main', environment: 'staging' } });
    expect(ws.fixture.deployed()).toEqual([`staging ${ws.fixture.sha('main')}`]);

    const production = await ws.cli(['run', 'deploy main to production', '--json'], 90_000);
    expect(production.code, production.stderr).toBe(3);
    const pending = JSON.parse((await ws.cli(['approvals', 'list', '--json'])).stdout) as unknown[];
    expect(pending).toMatchObject([{ server: 'devops', tool: 'deploy_with_review', args: { branch: 'main', environment: 'production' } }]);
    expect(ws.fixture.deployed()).toHaveLength(1);
  }, CASE_TIMEOUT_MS);
});
