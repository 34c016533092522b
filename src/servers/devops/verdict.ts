/**
 * @module The decision phase of a deploy: the verdict's schema, the facts a model is asked to judge, the
 * rule-based verdict from the same facts, and the veto the facts hold over any verdict.
 */
import { z } from 'zod';
import type { ConfigCheck } from './config-check.js';
import type { Review } from './git-review.js';
import type { TestOutcome } from './test-phase.js';

export const VerdictSchema = z.object({
  recommendation: z.enum(['DEPLOY', 'DO_NOT_DEPLOY']),
  risk_level: z.enum(['low', 'medium', 'high']),
  reasoning: z.string().min(1).max(4_000),
  concerns: z.array(z.string().max(500)).max(30),
  deployment_checklist: z.array(z.string().max(500)).max(30),
});
export type Verdict = z.infer<typeof VerdictSchema>;

/** Everything the verdict is about, as given to the model (config names only). */
export interface DeployFacts {
  readonly environment: string;
  readonly kind: 'deploy' | 'rollback';
  readonly review: Review;
  readonly tests: TestOutcome;
  readonly config: Pick<ConfigCheck, 'required' | 'present' | 'missing' | 'envFileProblem'>;
}

/** Facts that forbid a deploy whatever anyone judges: failing or missing tests results, missing config. */
export function vetoes(facts: DeployFacts): string[] {
  const reasons: string[] = [];
  const { tests, config } = facts;
  if (tests.status === 'failed') reasons.push(`tests failed (exit ${tests.exitCode}${tests.counts.failed !== undefined ? `, ${tests.counts.failed} failing` : ''})`);
  if (tests.status === 'timed-out') reasons.push(`tests timed out after ${tests.durationMs} ms`);
  if (tests.status === 'could-not-run') reasons.push(`the test command could not run: ${tests.outputTail}`);
  if (config.missing.length > 0) reasons.push(`required config missing for ${facts.environment}: ${config.missing.join(', ')}`);
  if (config.envFileProblem) reasons.push(config.envFileProblem);
  return reasons;
}

/** The facts as compact JSON for a model: commits, files (first 100), signals, tests and config names. */
export function factsForModel(facts: DeployFacts): Record<string, unknown> {
  const { review, tests, config } = facts;
  return {
    environment: facts.environment,
    kind: facts.kind,
    branch: review.branch,
    commit: review.sha,
    previous_deploy: review.baseSha ?? 'none (first deploy of this environment)',
    commits: review.commits.slice(0, 50).map((commit) => `${commit.sha.slice(0, 7)} ${commit.subject}${commit.breaking ? ' [BREAKING]' : ''}`),
    diff: { files: review.files.length, additions: review.additions, deletions: review.deletions, changed: review.files.slice(0, 100).map((file) => `${file.status} ${file.path} +${file.additions}/-${file.deletions}`) },
    risk_signals: review.signals.map((signal) => `${signal.kind}: ${signal.detail}`),
    tests:
      tests.status === 'not-configured'
        ? { status: 'not configured' }
        : tests.status === 'skipped'
          ? { status: 'skipped', reason: tests.reason }
          : { status: tests.status, exit_code: tests.exitCode, counts: tests.counts, output_tail: tests.outputTail.split('\n').slice(-15).join('\n') },
    config: { required: config.required, missing: config.missing },
  };
}

export const VERDICT_SYSTEM_PROMPT =
  'You review deployments. Judge only the facts you are given; do not assume anything they do not state. ' +
  'Answer with exactly one JSON object and nothing else: {"recommendation": "DEPLOY" | "DO_NOT_DEPLOY", ' +
  '"risk_level": "low" | "medium" | "high", "reasoning": string, "concerns": string[], "deployment_checklist": string[]}.';

/** The user message asking for a verdict on `facts`. */
export function verdictPrompt(facts: DeployFacts): string {
  return `Should this ${facts.kind} to ${facts.environment} go ahead? Facts (JSON):\n${JSON.stringify(factsForModel(facts), null, 2)}`;
}

export type ParsedAnswer<T> = { readonly success: true; readonly value: T } | { readonly success: false; readonly error: string };

/** The first JSON object in a model's answer (fences and prose around it allowed), validated with `schema`. */
export function parseJsonAnswer<T>(text: string, schema: z.ZodType<T>): ParsedAnswer<T> {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return { success: false, error: 'the answer holds no JSON object' };
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return { success: false, error: `the answer is not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { success: false, error: `the answer does not fit the verdict: ${issue.path.join('.') || '(top level)'}: ${issue.message}` };
  }
  return { success: true, value: parsed.data };
}

const SIGNAL_WEIGHT: Record<Review['signals'][number]['kind'], number> = {
  'breaking-commit': 3,
  migration: 2,
  'dependency-major-bump': 2,
  'deleted-export': 2,
  'tests-not-on-head': 2,
  'large-diff': 1,
  'dirty-tree': 1,
};

/** A verdict from the facts alone: vetoes say no; otherwise risk grows with the signals, and high risk says no. */
export function ruleVerdict(facts: DeployFacts): Verdict {
  const vetoed = vetoes(facts);
  const concerns = [...vetoed, ...facts.review.signals.map((signal) => signal.detail)];
  if (facts.tests.status === 'not-configured') concerns.push('no test command is configured (devops.testCommand): nothing was tested');
  const score = facts.review.signals.reduce((sum, signal) => sum + SIGNAL_WEIGHT[signal.kind], 0) + (facts.tests.status === 'not-configured' ? 1 : 0);
  const risk: Verdict['risk_level'] = vetoed.length > 0 || score >= 3 ? 'high' : score > 0 ? 'medium' : 'low';
  const recommendation = vetoed.length === 0 && risk !== 'high' ? 'DEPLOY' : 'DO_NOT_DEPLOY';
  const checklist = ['Watch error rates and latency for 15 minutes after the deploy', `Know the rollback: rollback(environment="${facts.environment}")`];
  const kinds = new Set(facts.review.signals.map((signal) => signal.kind));
  if (kinds.has('migration')) checklist.unshift('Back up the database and check the migrations are reversible');
  if (kinds.has('dependency-major-bump')) checklist.unshift('Read the changelogs of the upgraded dependencies');
  if (kinds.has('deleted-export') || kinds.has('breaking-commit')) checklist.unshift('Check that no consumer uses the removed or changed API');
  const reasoning =
    vetoed.length > 0
      ? `Not deployable: ${vetoed.join('; ')}.`
      : `${facts.review.commits.length} commit(s), ${facts.review.additions + facts.review.deletions} changed lines, ${facts.review.signals.length} risk signal(s)` +
        `${facts.tests.status === 'passed' ? ', tests passed' : facts.tests.status === 'not-configured' ? ', no tests configured' : ''}: risk ${risk}.`;
  return { recommendation, risk_level: risk, reasoning, concerns, deployment_checklist: checklist };
}

/** `verdict` with the facts' vetoes applied: any veto makes it DO_NOT_DEPLOY at high risk, saying why. */
export function applyVetoes(verdict: Verdict, facts: DeployFacts): { verdict: Verdict; vetoed: string[] } {
  const vetoed = vetoes(facts);
  if (vetoed.length === 0) return { verdict, vetoed };
  return {
    vetoed,
    verdict: {
      ...verdict,
      recommendation: 'DO_NOT_DEPLOY',
      risk_level: 'high',
      concerns: [...vetoed.map((reason) => `Vetoed by the facts: ${reason}`), ...verdict.concerns],
      reasoning: verdict.recommendation === 'DEPLOY' ? `Overridden by the facts (${vetoed.join('; ')}). The reviewer said: ${verdict.reasoning}` : verdict.reasoning,
    },
  };
}
