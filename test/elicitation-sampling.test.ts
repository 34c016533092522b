/**
 * MCP elicitation and sampling through Deckhand's approval path, end to end: real `deckhand run` processes, a
 * small stdio MCP server that asks for both mid-call (`fixtures/elicit-sample-server.ts`), the OpenAI wire fake
 * as the model, and other `deckhand` processes answering the server's questions through the store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ActiveRuns } from '../src/agent/active-run.js';
import { ElicitationRouter } from '../src/agent/elicitation.js';
import { Sampler } from '../src/agent/sampling.js';
import { McpHost } from '../src/mcp/index.js';
import { ApprovalStore } from '../src/store/approval-store.js';
import { openStore } from '../src/store/database.js';
import { offeredToolNames, sentTranscript, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { type CliResult, cliEnv, freshWorkspace, parseJsonLines, REPO_ROOT, runCli } from './helpers/cli.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'elicit-sample-server.ts');
const MODEL = 'openai:gpt-4.1-mini';
/** gpt-4.1-mini list prices, USD per token. */
const INPUT_USD = 0.4 / 1_000_000;
const OUTPUT_USD = 1.6 / 1_000_000;
/** Polls of `deckhand approvals list` before giving up (each spawns a process). */
const MAX_POLLS = 120;

const fakes: FakeProvider<unknown>[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

interface Setup {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly fake: FakeProvider<unknown>;
}

/** A workspace whose only MCP server is the fixture (trusted), and a fake model playing `script`. */
async function setUp(script: FakeTurn[], approval: Record<string, unknown> = {}): Promise<Setup> {
  const fake = (await startOpenAIFake(script)) as FakeProvider<unknown>;
  fakes.push(fake);
  const { home, cwd } = freshWorkspace();
  const config = {
    builtinServers: false,
    mcpServers: { ops: { command: process.execPath, args: [FIXTURE], trusted: true } },
    approval,
  };
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify(config));
  const env = cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` });
  // Create the store first: two processes migrating a fresh database at once can collide on its migrations.
  const created = await runCli(['approvals', 'list', '--json'], { env, cwd });
  expect(created.code, created.stderr).toBe(0);
  return { env, cwd, fake };
}

interface RunningCli {
  readonly done: Promise<CliResult>;
  /** Set once the process has exited. */
  result?: CliResult;
}

function startRun(setup: Setup, task: string, extra: string[] = []): RunningCli {
  const done = runCli(['run', task, '--model', MODEL, '--json', '--yes', ...extra], {
    env: setup.env,
    cwd: setup.cwd,
    timeoutMs: 60_000,
  });
  const running: RunningCli = { done };
  void done.then((result) => {
    running.result = result;
  });
  return running;
}

/** Polls `deckhand approvals list --json` (another process) until the run's elicitation is pending. */
async function pendingElicitation(
  setup: Setup,
  run: RunningCli,
): Promise<{ id: string; args: Record<string, unknown> }> {
  for (let poll = 0; poll < MAX_POLLS && !run.result; poll++) {
    const listed = await runCli(['approvals', 'list', '--json'], { env: setup.env, cwd: setup.cwd });
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{ id: string; kind: string; args: Record<string, unknown> }>;
    const found = rows.find((row) => row.kind === 'elicitation');
    if (found) return found;
    await sleep(100);
  }
  throw new Error(
    `no elicitation became pending${run.result ? `; the run exited ${run.result.code}: ${run.result.stdout.slice(-2_000)}${run.result.stderr}` : ''}`,
  );
}

async function auditLog(
  setup: Setup,
): Promise<Array<{ action: string; actor: string; details: Record<string, unknown> }>> {
  const listed = await runCli(['audit', 'list', '--json'], { env: setup.env, cwd: setup.cwd });
  return JSON.parse(listed.stdout) as Array<{ action: string; actor: string; details: Record<string, unknown> }>;
}

const DEPLOY: FakeTurn[] = [
  {
    text: 'Deploying main.',
    toolCalls: [{ name: 'ops__deploy', args: { environment: 'production' } }],
    usage: { inputTokens: 100, outputTokens: 10 },
  },
  { text: 'Done.', usage: { inputTokens: 120, outputTokens: 5 } },
];

const eventsOf = (result: CliResult) => parseJsonLines(result.stdout);
const toolOutput = (result: CliResult) =>
  eventsOf(result).find((event) => event.type === 'tool-result' || event.type === 'tool-error');

describe('elicitation/create from a server, mid-call', () => {
  it.each([
    { how: 'approve --args', decide: (id: string) => ['approvals', 'approve', id, '--args', '{"confirm":true}'] },
    { how: 'answer (one-field form)', decide: (id: string) => ['approvals', 'answer', id, 'yes'] },
  ])('is pending in the store, and $how from another process makes the call go ahead', async ({ decide }) => {
    const setup = await setUp(DEPLOY);
    const run = startRun(setup, 'Deploy main to production');
    const pending = await pendingElicitation(setup, run);
    expect(pending.args).toMatchObject({
      message: 'Deploy to production?',
      requestedSchema: { properties: { confirm: { type: 'boolean', default: false } } },
    });

    const decided = await runCli(decide(pending.id), { env: setup.env, cwd: setup.cwd });
    expect(decided.code, decided.stderr).toBe(0);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(toolOutput(result)).toMatchObject({
      type: 'tool-result',
      server: 'ops',
      tool: 'deploy',
      output: 'deployed to production',
    });
    expect(eventsOf(result).filter((event) => event.approvalId === pending.id)).toMatchObject([
      {
        type: 'approval-request',
        kind: 'elicitation',
        approvalId: pending.id,
        server: 'ops',
        tool: 'deploy',
        reason: 'Deploy to production?',
      },
      { type: 'approval-response', approvalId: pending.id },
    ]);
    const audit = await auditLog(setup);
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['elicitation-requested', 'elicitation-result']),
    );
    expect(audit.find((entry) => entry.action === 'elicitation-result')?.details).toMatchObject({
      server: 'ops',
      action: 'accept',
      content: { confirm: true },
    });
  });

  it('denied from another process: the server is told `decline` and does not deploy', async () => {
    const setup = await setUp(DEPLOY);
    const run = startRun(setup, 'Deploy main to production');
    const pending = await pendingElicitation(setup, run);
    const denied = await runCli(['approvals', 'deny', pending.id, '--note', 'not today'], {
      env: setup.env,
      cwd: setup.cwd,
    });
    expect(denied.code, denied.stderr).toBe(0);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(toolOutput(result)).toMatchObject({ output: 'not deployed to production (decline)' });
    expect(
      eventsOf(result).find((event) => event.type === 'approval-response' && event.approvalId === pending.id),
    ).toMatchObject({ decision: 'denied', note: 'not today' });
  });

  it('approved with content that does not fit the form: the server is told `cancel`, and why is audited', async () => {
    const setup = await setUp(DEPLOY);
    const run = startRun(setup, 'Deploy main to production');
    const pending = await pendingElicitation(setup, run);
    await runCli(['approvals', 'approve', pending.id, '--args', '{"confirm":"maybe"}'], {
      env: setup.env,
      cwd: setup.cwd,
    });
    const result = await run.done;
    expect(toolOutput(result)).toMatchObject({ output: 'not deployed to production (cancel)' });
    const audit = await auditLog(setup);
    expect(audit.find((entry) => entry.action === 'elicitation-result')?.details).toMatchObject({
      action: 'cancel',
      problem: expect.stringContaining("'confirm' must be true or false"),
    });
  });

  it('unanswered within approval.elicitationTimeoutSeconds: cancelled, and recorded as expired', async () => {
    const setup = await setUp(DEPLOY, { elicitationTimeoutSeconds: 1 });
    const result = await startRun(setup, 'Deploy main to production').done;
    expect(result.code, result.stderr).toBe(0);
    expect(toolOutput(result)).toMatchObject({ output: 'not deployed to production (cancel)' });
    expect(
      eventsOf(result).find((event) => event.type === 'approval-response' && event.approvalId !== null),
    ).toMatchObject({ decision: 'expired', by: 'deckhand' });
    const audit = await auditLog(setup);
    expect(
      audit
        .filter((entry) => ['elicitation-requested', 'expired', 'elicitation-result'].includes(entry.action))
        .map((entry) => entry.action),
    ).toEqual(['elicitation-requested', 'expired', 'elicitation-result']);
    const listed = await runCli(['approvals', 'list', '--all', '--json'], { env: setup.env, cwd: setup.cwd });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ kind: 'elicitation', status: 'expired' }]);
  });
});

describe('sampling/createMessage from a server, mid-call', () => {
  const SAMPLED = 'Deckhand asks people before side effects.';

  it("is answered with the run's model, counted in the run's usage, and audited", async () => {
    const setup = await setUp([
      {
        toolCalls: [
          {
            name: 'ops__summarize',
            args: { text: 'Deckhand is an operations agent. It asks before anything with side effects.' },
          },
        ],
        usage: { inputTokens: 100, outputTokens: 10 },
      },
      { text: SAMPLED, usage: { inputTokens: 40, outputTokens: 12 } },
      { text: 'Summarized.', usage: { inputTokens: 150, outputTokens: 20 } },
    ]);
    const result = await startRun(setup, 'Summarize the blurb').done;
    expect(result.code, result.stderr).toBe(0);
    expect(toolOutput(result)).toMatchObject({ type: 'tool-result', tool: 'summarize', output: `summary: ${SAMPLED}` });

    // The sampling request reached the fake as a plain chat request: the server's system prompt and message.
    const sampling = setup.fake.requests[1]?.body;
    expect(sentTranscript(sampling)).toEqual([
      'system: You write one-sentence summaries.',
      expect.stringMatching(/^user: .*Summarize in one sentence/),
    ]);
    expect(offeredToolNames(sampling)).toEqual([]);

    const events = eventsOf(result);
    expect(events.filter((event) => event.type === 'usage').map((event) => event.usage)).toEqual([
      { inputTokens: 100, outputTokens: 10 },
      { inputTokens: 40, outputTokens: 12 },
      { inputTokens: 150, outputTokens: 20 },
    ]);
    const end = events.at(-1) as {
      type: string;
      totals: { inputTokens: number; outputTokens: number; costUsd: number; steps: number };
    };
    expect(end).toMatchObject({ type: 'run-end', totals: { steps: 2, inputTokens: 290, outputTokens: 42 } });
    expect(end.totals.costUsd).toBeCloseTo(290 * INPUT_USD + 42 * OUTPUT_USD, 12);

    const sampled = (await auditLog(setup)).find((entry) => entry.action === 'sampling');
    expect(sampled).toMatchObject({
      actor: 'deckhand',
      details: { server: 'ops', model: MODEL, inputTokens: 40, outputTokens: 12, maxTokens: 200 },
    });
    expect(sampled?.details.costUsd).toBeCloseTo(40 * INPUT_USD + 12 * OUTPUT_USD, 12);
  });

  it('is refused once the run has spent its budget, so sampling never takes it further', async () => {
    // The provider reports far more than the pre-call estimate could know ($0.80 of a $0.50 budget).
    const setup = await setUp([
      {
        toolCalls: [{ name: 'ops__summarize', args: { text: 'A long text.' } }],
        usage: { inputTokens: 2_000_000, outputTokens: 10 },
      },
    ]);
    const result = await startRun(setup, 'Summarize the text', ['--budget-usd', '0.5']).done;
    expect(setup.fake.requests).toHaveLength(1);
    expect(toolOutput(result)).toMatchObject({
      type: 'tool-error',
      tool: 'summarize',
      error: expect.stringContaining('budget'),
    });
    expect(eventsOf(result).at(-1)).toMatchObject({ type: 'run-end', outcome: 'budget-exhausted' });
    expect(result.code).toBe(1);
    expect((await auditLog(setup)).find((entry) => entry.action === 'sampling-refused')?.details).toMatchObject({
      server: 'ops',
      reason: expect.stringMatching(/^budget exhausted: run usd 0\.80 of 0\.50/),
    });
  });
  it('counts against the budget: a run that sampling took past it stops before its next model call', async () => {
    // Invariant: sampling never lets a run spend past budgetUsd, though the loop alone does not see what it spent.
    const setup = await setUp([
      {
        toolCalls: [{ name: 'ops__summarize', args: { text: 'A text.' } }],
        usage: { inputTokens: 100, outputTokens: 10 },
      },
      { text: SAMPLED, usage: { inputTokens: 2_000_000, outputTokens: 10 } },
    ]);
    const result = await startRun(setup, 'Summarize the text', ['--budget-usd', '0.5']).done;
    expect(setup.fake.requests).toHaveLength(2);
    expect(toolOutput(result)).toMatchObject({ type: 'tool-result', output: `summary: ${SAMPLED}` });
    expect(eventsOf(result).at(-1)).toMatchObject({
      type: 'run-end',
      outcome: 'budget-exhausted',
      text: expect.stringMatching(/^Budget exhausted: run usd 0\.80 of 0\.50/),
      totals: { steps: 1, inputTokens: 2_000_100, outputTokens: 20 },
    });
    expect(result.code).toBe(1);
  });
});

describe('McpHost without an active run', () => {
  it('refuses sampling politely and cancels elicitation: there is no run to charge or person to ask', async () => {
    const { cwd } = freshWorkspace();
    const store = await openStore({ file: join(cwd, 'deckhand.db'), seed: false });
    const runs = new ActiveRuns();
    const host = await McpHost.start({
      servers: { ops: { command: process.execPath, args: [FIXTURE], env: {} } },
      elicitation: new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs }).handle,
      sampling: new Sampler({ runs, db: store.db }).handle,
    });
    try {
      const sampled = await host.call('ops__summarize', { text: 'anything' }, { toolCallId: 'call_1' });
      expect(sampled).toMatchObject({ isError: true, text: expect.stringContaining('only for a run that is calling') });
      const deployed = await host.call('ops__deploy', { environment: 'staging' }, { toolCallId: 'call_2' });
      expect(deployed).toMatchObject({ isError: false, text: 'not deployed to staging (cancel)' });
      expect(await new ApprovalStore(store.db).list({ status: 'all' })).toEqual([]);
    } finally {
      await host.close();
      await store.close();
    }
  });
});

describe('the call timeout while the host answers', () => {
  it('stops while an elicitation waits on a person, and starts over once it is answered', async () => {
    // Invariant: a server waiting on our answer is not a silent server; the wait never counts against its call.
    const host = await McpHost.start({
      servers: { ops: { command: process.execPath, args: [FIXTURE], env: {} } },
      // The person takes three call timeouts to answer; the server then has a whole timeout to reply, which a
      // 200 ms timeout did not always leave it on two cores at load 20.
      callTimeoutMs: 1_000,
      elicitation: async () => {
        await sleep(3_000);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    try {
      const deployed = await host.call('ops__deploy', { environment: 'staging' }, { toolCallId: 'call_1' });
      expect(deployed).toEqual({ isError: false, text: 'deployed to staging' });
    } finally {
      await host.close();
    }
  });
});
