/**
 * @module `deploy_with_review` and `rollback`, phase by phase: lock the environment, review the change (git),
 * run the tests, check the config, get a verdict (a model judging the facts, or rules; the facts can veto), pass
 * the gate (a person for environments that require one), run the deploy command, and record it all.
 */
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';
import { errorMessage } from '../../shared/errors.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { type DevopsConfig, type DevopsEnvironment, fillPlaceholders } from './config.js';
import { checkConfig } from './config-check.js';
import { DeploymentStore, newDeploymentId } from './deployment-store.js';
import { passGate } from './gate.js';
import { type Review, resolveBranch, reviewChanges } from './git-review.js';
import { ask, markInvalid } from './judge.js';
import { Progress } from './progress.js';
import { runCommand, tailLines } from './run-command.js';
import { commandEnv, type DevopsRuntime } from './runtime.js';
import type { DeployReport } from './schemas.js';
import { runTests, type TestOutcome } from './test-phase.js';
import { applyVetoes, type DeployFacts, parseJsonAnswer, ruleVerdict, type Verdict, VERDICT_SYSTEM_PROMPT, VerdictSchema, verdictPrompt } from './verdict.js';

/** Lines of deploy output kept in the record and the report. */
const DEPLOY_TAIL_LINES = 40;
const PHASES = 6;

export interface DeployRequest {
  readonly kind: 'deploy' | 'rollback';
  readonly environment: string;
  /** For a deploy: the branch to deploy. */
  readonly branch?: string;
  readonly autoApprove: boolean;
}

/** The environment's settings, or a ToolFailure naming the configured ones. */
export function environmentOf(config: DevopsConfig, name: string): DevopsEnvironment {
  const environment = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (!environment) {
    const names = Object.keys(config.environments);
    throw new ToolFailure(
      names.length > 0
        ? `No environment "${name}" in devops.environments. Configured: ${names.join(', ')}.`
        : `No environments are configured: add devops.environments.${name} = {"deploy": ["./scripts/deploy.sh", "{environment}", "{sha}"]} to deckhand.json.`,
    );
  }
  return environment;
}

/** Runs one deploy or rollback end to end and returns its report; a second one on the same environment is refused. */
export async function runDeploy(
  runtime: DevopsRuntime,
  config: DevopsConfig,
  server: McpServer,
  context: ServerContext,
  request: DeployRequest,
): Promise<DeployReport> {
  const environment = environmentOf(config, request.environment);
  const store = new DeploymentStore(runtime.db);
  const id = newDeploymentId();
  await store.lock(request.environment, id, config.testTimeoutMs + environment.deployTimeoutMs);
  using progress = new Progress(context, PHASES);
  try {
    return await deployLocked({ runtime, config, environment, server, context, request, store, id, progress });
  } finally {
    // A failure mid-way (git gone, the store unreachable) must not leave a deploy "running" forever.
    await runtime.db
      .updateTable('devops_deployments')
      .set({ status: 'failed', finished_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute()
      .catch(() => {});
    await store.unlock(request.environment, id);
    runtime.events.emit('history');
  }
}

interface Locked {
  readonly runtime: DevopsRuntime;
  readonly config: DevopsConfig;
  readonly environment: DevopsEnvironment;
  readonly server: McpServer;
  readonly context: ServerContext;
  readonly request: DeployRequest;
  readonly store: DeploymentStore;
  readonly id: string;
  readonly progress: Progress;
}

async function deployLocked(locked: Locked): Promise<DeployReport> {
  const { runtime, config, environment, server, context, request, store, id, progress } = locked;
  const envName = request.environment;
  const gitContext = { db: runtime.db, repo: config.repo, env: commandEnv(runtime, config), deploymentId: id };

  // 1. Review: what would change, from git.
  progress.step(0, 'reviewing changes');
  const previous = await store.lastSucceeded(envName);
  let sha: string;
  let branch: string | null;
  if (request.kind === 'deploy') {
    branch = request.branch ?? 'main';
    sha = await resolveBranch(gitContext, branch);
  } else {
    if (!previous) throw new ToolFailure(`Nothing to roll back: ${envName} has no successful deploy yet (see deployment://history).`);
    const earlier = (await store.succeeded(envName, 50)).find((row) => row.sha !== previous.sha);
    if (!earlier) throw new ToolFailure(`Nothing to roll back to: every successful deploy of ${envName} is at ${previous.sha.slice(0, 7)}.`);
    sha = earlier.sha;
    branch = earlier.branch;
  }
  const review = await reviewChanges(gitContext, { branch: branch ?? sha, sha, baseSha: previous?.sha ?? null, largeDiffLines: config.largeDiffLines });
  if (request.kind === 'rollback') review.signals.splice(0, review.signals.length, ...review.signals.filter((signal) => signal.kind !== 'tests-not-on-head'));
  await store.insert({
    id,
    kind: request.kind,
    environment: envName,
    branch,
    sha,
    previous_sha: previous?.sha ?? null,
    status: 'running',
    recommendation: null,
    risk_level: null,
    verdict_source: null,
    verdict: null,
    approver: null,
    started_at: new Date().toISOString(),
    finished_at: null,
    duration_ms: null,
    exit_code: null,
    output_tail: null,
    report: null,
  });
  runtime.events.emit('history');
  const started = Date.now();

  // 2. Tests (a rollback returns to a commit that passed them when it was deployed).
  progress.step(1, 'running tests');
  const tests: TestOutcome =
    request.kind === 'rollback'
      ? { status: 'skipped', reason: `rollback to ${sha.slice(0, 7)}, which passed review and tests when it was deployed` }
      : await runTests({ db: runtime.db, argv: config.testCommand, repo: config.repo, env: gitContext.env, timeoutMs: config.testTimeoutMs, deploymentId: id, onLine: (line) => progress.line(line), signal: context.mcpReq.signal });

  // 3. Config: names only.
  progress.step(2, 'checking config');
  const configCheck = checkConfig(environment, runtime.env);
  const facts: DeployFacts = {
    environment: envName,
    kind: request.kind,
    review,
    tests,
    config: { required: configCheck.required, present: configCheck.present, missing: configCheck.missing, ...(configCheck.envFileProblem ? { envFileProblem: configCheck.envFileProblem } : {}) },
  };

  // 4. Decision: a model judges the facts; rules when there is none or its answer is unusable; the facts can veto.
  progress.step(3, 'judging the facts');
  const judged = await judge(runtime, server, context, facts);
  const { verdict, vetoed } = applyVetoes(judged.verdict, facts);

  const base = { id, request, branch, sha, previous: previous?.sha ?? null, review, tests, configCheck, verdict, source: judged.source, note: judged.note, vetoed };
  const finishWith = async (status: DeployReport['status'], extra: { approver?: string | null; gateNote?: string | null; execution?: DeployReport['execution']; message: string }) => {
    const report = buildReport({ ...base, status, approver: extra.approver ?? null, gateNote: extra.gateNote ?? null, execution: extra.execution ?? null, message: extra.message });
    await store.finish(id, {
      status,
      finished_at: new Date().toISOString(),
      duration_ms: Date.now() - started,
      exit_code: extra.execution?.exit_code ?? null,
      output_tail: extra.execution?.output_tail ?? null,
      approver: extra.approver ?? null,
      report: JSON.stringify(report),
    });
    return report;
  };
  await runtime.db
    .updateTable('devops_deployments')
    .set({ recommendation: verdict.recommendation, risk_level: verdict.risk_level, verdict_source: judged.source, verdict: JSON.stringify(verdict) })
    .where('id', '=', id)
    .execute();

  if (verdict.recommendation !== 'DEPLOY') {
    return finishWith('blocked', { message: `Not deployed: the verdict is DO_NOT_DEPLOY (${verdict.risk_level} risk). ${vetoed.length > 0 ? `Vetoed by the facts: ${vetoed.join('; ')}.` : verdict.reasoning}` });
  }

  // 5. Gate.
  progress.step(4, environment.requireApproval ? 'waiting for approval' : 'passing the gate');
  const gate = await passGate({
    server,
    context,
    environmentName: envName,
    environment,
    autoApprove: request.autoApprove,
    summary: approvalSummary(request.kind, branch, sha, review, verdict, judged.source),
  });
  if (!gate.open) return finishWith(gate.status, { gateNote: gate.why, message: `Not deployed: ${gate.why}` });

  // 6. Execute.
  progress.step(5, `running the ${request.kind} command`);
  const argv = fillPlaceholders((request.kind === 'rollback' ? environment.rollback : undefined) ?? environment.deploy, { branch: branch ?? sha, sha, environment: envName });
  const result = await runCommand({
    db: runtime.db,
    argv,
    cwd: config.repo,
    env: commandEnv(runtime, config, configCheck.values),
    timeoutMs: environment.deployTimeoutMs,
    purpose: request.kind,
    deploymentId: id,
    approvedBy: gate.approver,
    onLine: (line) => progress.line(line),
    signal: context.mcpReq.signal,
  });
  const execution = { command: argv, exit_code: result.exitCode, duration_ms: Math.round(result.durationMs), timed_out: result.timedOut, output_tail: result.spawnError ?? tailLines(result.output, DEPLOY_TAIL_LINES) };
  const status = result.exitCode === 0 ? 'succeeded' : result.timedOut ? 'timed_out' : 'failed';
  const what = request.kind === 'rollback' ? 'Rolled back' : 'Deployed';
  const message =
    status === 'succeeded'
      ? `${what} ${branch ?? ''} ${sha.slice(0, 7)} to ${envName} in ${execution.duration_ms} ms (approved: ${gate.approver}).`.replace('  ', ' ')
      : status === 'timed_out'
        ? `The ${request.kind} command timed out after ${environment.deployTimeoutMs} ms and was stopped; ${envName} may be half-deployed. Check it, then roll back or deploy again.`
        : `The ${request.kind} command failed (${result.spawnError ?? `exit ${result.exitCode}`}); ${envName} was not updated by it. See the output tail.`;
  return finishWith(status, { approver: gate.approver, execution, message });
}

/** The verdict from a model when one answers usably, else from the rules (saying why). */
async function judge(runtime: DevopsRuntime, server: McpServer, context: ServerContext, facts: DeployFacts): Promise<{ verdict: Verdict; source: string; note: string | null }> {
  let answer;
  try {
    answer = await ask({ db: runtime.db, server, context, own: runtime.own, tool: 'deploy_with_review', system: VERDICT_SYSTEM_PROMPT, prompt: verdictPrompt(facts), maxTokens: 1_200 });
  } catch (error) {
    answer = { answered: false as const, why: errorMessage(error) };
  }
  if (!answer.answered) {
    const why = [runtime.ownProblem, answer.why].filter(Boolean).join('; ');
    return { verdict: ruleVerdict(facts), source: 'rules', note: `Rule-based verdict: ${why}.` };
  }
  const parsed = parseJsonAnswer(answer.text, VerdictSchema);
  if (!parsed.success) {
    await markInvalid(runtime.db, answer.usageId, parsed.error);
    return { verdict: ruleVerdict(facts), source: 'rules', note: `Rule-based verdict: ${answer.source} answered, but ${parsed.error}.` };
  }
  return { verdict: parsed.value, source: answer.source, note: null };
}

function approvalSummary(kind: DeployRequest['kind'], branch: string | null, sha: string, review: Review, verdict: Verdict, source: string): string {
  const lines = [
    `${kind === 'rollback' ? 'Roll back to' : 'Deploy'} ${branch ?? ''} ${sha.slice(0, 7)}: ${review.commits.length} commit(s), +${review.additions}/-${review.deletions} in ${review.files.length} file(s).`.replace('  ', ' '),
    `Verdict (${source}): ${verdict.recommendation}, ${verdict.risk_level} risk. ${verdict.reasoning}`,
  ];
  if (verdict.concerns.length > 0) lines.push(`Concerns: ${verdict.concerns.slice(0, 5).join('; ')}`);
  return lines.join('\n');
}

function buildReport(parts: {
  id: string;
  request: DeployRequest;
  branch: string | null;
  sha: string;
  previous: string | null;
  review: Review;
  tests: TestOutcome;
  configCheck: ReturnType<typeof checkConfig>;
  verdict: Verdict;
  source: string;
  note: string | null;
  vetoed: string[];
  status: DeployReport['status'];
  approver: string | null;
  gateNote: string | null;
  execution: DeployReport['execution'];
  message: string;
}): DeployReport {
  const { review, tests } = parts;
  const ran = tests.status !== 'not-configured' && tests.status !== 'skipped';
  return {
    deployment_id: parts.id,
    kind: parts.request.kind,
    environment: parts.request.environment,
    branch: parts.branch,
    commit: parts.sha,
    previous_commit: parts.previous,
    status: parts.status,
    deployed: parts.status === 'succeeded',
    review: {
      commits: review.commits,
      commits_truncated: review.commitsTruncated,
      files_changed: review.files.length,
      additions: review.additions,
      deletions: review.deletions,
      files: review.files.slice(0, 200),
      signals: review.signals,
      working_tree_commit: review.headSha,
      dirty_files: review.dirtyFiles,
    },
    tests: {
      status: tests.status,
      command: ran ? [...tests.argv] : null,
      exit_code: ran ? tests.exitCode : null,
      duration_ms: ran ? tests.durationMs : null,
      passed: ran ? (tests.counts.passed ?? null) : null,
      failed: ran ? (tests.counts.failed ?? null) : null,
      skipped: ran ? (tests.counts.skipped ?? null) : null,
      output_tail: ran ? tests.outputTail : tests.status === 'skipped' ? tests.reason : null,
    },
    config: { required: parts.configCheck.required, present: parts.configCheck.present, missing: parts.configCheck.missing },
    verdict: parts.verdict,
    verdict_source: parts.source,
    verdict_note: parts.note,
    vetoed_by: parts.vetoed,
    approver: parts.approver,
    gate_note: parts.gateNote,
    execution: parts.execution,
    message: parts.message,
  };
}
