import { randomUUID } from 'node:crypto';
import type { ApprovalConfig } from '../config/schema.js';
import type { ModelPrice } from '../models/pricing.js';
import type { Model, ModelMessage, ToolHints } from '../models/types.js';
import { UsageError } from '../shared/errors.js';
import { ApprovalStore } from '../store/approval-store.js';
import type { Store } from '../store/database.js';
import { RunRecorder } from '../store/run-recorder.js';
import { SessionStore } from '../store/session-store.js';
import type { RunEvent, RunOutcome, RunTotals } from './events.js';
import { PolicyGate } from './policy-gate.js';
import { runAgent } from './run-agent.js';
import { SYSTEM_PROMPT } from './system-prompt.js';
import type { ToolExecutor } from './tool-executor.js';

/** The options a run starts with; stored with the run so `deckhand resume` keeps them unless given again. */
export interface RunSettings {
  readonly model: string;
  readonly yes: boolean;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
}

/** A tool executor that can also say what a tool's annotations are. */
export interface HintedToolExecutor extends ToolExecutor {
  hints(modelToolName: string): ToolHints | undefined;
}

/** What every durable run needs, opened once per process. */
export interface RunContext {
  readonly store: Store;
  readonly model: Model;
  readonly price?: ModelPrice;
  readonly tools: HintedToolExecutor;
  readonly approval: ApprovalConfig;
  readonly isTrusted: (server: string) => boolean;
  readonly signal?: AbortSignal;
}

function gateFor(context: RunContext, settings: RunSettings): PolicyGate {
  return new PolicyGate({
    approvals: new ApprovalStore(context.store.db),
    rules: context.approval.rules,
    yes: settings.yes,
    isTrusted: context.isTrusted,
    hints: (name) => context.tools.hints(name),
    expiresAfterHours: context.approval.expiresAfterHours,
  });
}

async function* recorded(run: AsyncGenerator<RunEvent, RunOutcome>, recorder: RunRecorder): AsyncGenerator<RunEvent, RunOutcome> {
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
    await recorder.record(next.value);
    yield next.value;
  }
}

/**
 * Starts a run in a session (new or existing): the session's stored transcript plus the new task, with the
 * approval policy as the gate, every event and message persisted as it happens. Yields the run's events.
 */
export async function* startRun(
  context: RunContext,
  options: { task: string; sessionId?: string; runId?: string; settings: RunSettings },
): AsyncGenerator<RunEvent, RunOutcome> {
  const sessions = new SessionStore(context.store.db);
  const sessionId = options.sessionId ?? randomUUID();
  const history = await sessions.messages(sessionId);
  const messages: ModelMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }, ...history, { role: 'user', content: options.task }];
  const recorder = new RunRecorder(context.store, { sessionId, preamble: 1, storedMessages: history.length, runOptions: { ...options.settings } });
  const { settings } = options;
  return yield* recorded(
    runAgent({
      model: context.model,
      tools: context.tools,
      messages,
      task: options.task,
      sessionId,
      runId: options.runId ?? randomUUID(),
      gate: gateFor(context, settings),
      checkpoint: (checkpoint) => recorder.checkpoint(checkpoint),
      ...(settings.maxSteps !== undefined ? { maxSteps: settings.maxSteps } : {}),
      ...(settings.budgetUsd !== undefined ? { budgetUsd: settings.budgetUsd } : {}),
      ...(context.price ? { price: context.price } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    }),
    recorder,
  );
}

/** A stored run, as `deckhand resume` needs it. */
export interface StoredRun {
  readonly id: string;
  readonly sessionId: string;
  readonly task: string;
  readonly status: string;
  readonly step: number;
  readonly totals: RunTotals;
  readonly settings: RunSettings;
}

const RESUMABLE = new Set(['paused', 'running', 'cancelled', 'budget-exhausted', 'failed']);

/** Loads a run to resume. Throws `UsageError` for an unknown id; `resumable` is false for a finished run. */
export async function loadRun(store: Store, runId: string): Promise<StoredRun & { resumable: boolean }> {
  const row = await store.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!row) throw new UsageError(`No run ${runId}. List recent runs with \`deckhand sessions\` or pending approvals with \`deckhand approvals list\`.`);
  const settings = JSON.parse(row.options) as RunSettings;
  return {
    id: row.id,
    sessionId: row.session_id,
    task: row.task,
    status: row.status,
    step: Number(row.steps),
    totals: {
      steps: Number(row.steps),
      toolCalls: Number(row.tool_calls),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      costUsd: Number(row.cost_usd),
    },
    settings: { ...settings, model: settings.model ?? row.model },
    resumable: RESUMABLE.has(row.status),
  };
}

/**
 * Continues a stored run from its persisted state: the session transcript as stored, the step it was in (whose
 * tool calls run now if they were approved, with the same idempotency keys, so nothing done before repeats),
 * and what it had spent. `settings` are the run's own unless overridden.
 */
export async function* resumeRun(context: RunContext, run: StoredRun, settings: RunSettings): AsyncGenerator<RunEvent, RunOutcome> {
  const sessions = new SessionStore(context.store.db);
  const history = await sessions.messages(run.sessionId);
  const messages: ModelMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }, ...history];
  const recorder = new RunRecorder(context.store, { sessionId: run.sessionId, preamble: 1, storedMessages: history.length, runOptions: { ...settings } });
  if (JSON.stringify(settings) !== JSON.stringify(run.settings)) {
    await context.store.db.updateTable('runs').set({ options: JSON.stringify(settings) }).where('id', '=', run.id).execute();
  }
  return yield* recorded(
    runAgent({
      model: context.model,
      tools: context.tools,
      messages,
      task: run.task,
      sessionId: run.sessionId,
      runId: run.id,
      gate: gateFor(context, settings),
      checkpoint: (checkpoint) => recorder.checkpoint(checkpoint),
      resume: { step: run.step, totals: run.totals },
      ...(settings.maxSteps !== undefined ? { maxSteps: settings.maxSteps } : {}),
      ...(settings.budgetUsd !== undefined ? { budgetUsd: settings.budgetUsd } : {}),
      ...(context.price ? { price: context.price } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    }),
    recorder,
  );
}
