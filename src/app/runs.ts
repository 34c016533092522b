/**
 * @module The run operations every front end shares: load a run (a typed not-found), say whether it can resume,
 * build its settings, and execute it (start or resume) through one function. The CLI and the HTTP API call these
 * and only render; neither reads the store itself.
 */
import { newRecordId } from '../shared/ids.js';
import { resumeRun, startRun } from '../agent/durable-run.js';
import type { Settings } from '../config/load.js';
import type { RunEvent, RunOutcome, RunSettings } from '../contracts/index.js';
import { RunNotFoundError } from '../shared/errors.js';
import { ApprovalStore } from '../store/approval-store.js';
import type { Store } from '../store/database.js';
import { isResumable, type RunListing, RunNotResumableError, RunStore, type StoredRun } from '../store/run-store.js';
import { type RunOverrides, resolveRunSettings } from './run-settings.js';
import { type Runtime, runContext } from './runtime.js';

export type { RunListing, StoredRun };
export { RunNotFoundError, StoredDataError } from '../shared/errors.js';
export { RunLeaseHeldError } from '../store/run-lease.js';
export { isResumable, RunNotResumableError } from '../store/run-store.js';

/** The run. Throws `RunNotFoundError` for an unknown id and `StoredDataError` when its row does not parse. */
export function loadRun(store: Store, runId: string): Promise<StoredRun> {
  return new RunStore(store.db).load(runId);
}

/** The run, to resume. Throws `RunNotFoundError`, `StoredDataError`, or `RunNotResumableError` once it finished. */
export async function loadResumableRun(store: Store, runId: string): Promise<StoredRun> {
  const run = await loadRun(store, runId);
  if (!isResumable(run)) throw new RunNotResumableError(run);
  return run;
}

/** The settings a new run starts with: the caller's overrides over the config (see `run-settings.ts`). */
export function startSettings(config: Settings, overrides: RunOverrides = {}, defaultYes = false): RunSettings {
  return resolveRunSettings({ config, overrides, defaultYes });
}

/** The settings a stored run resumes with: the caller's overrides, then the run's own, then the config. */
export function resumeSettings(config: Settings, run: StoredRun, overrides: RunOverrides = {}, defaultYes = false): RunSettings {
  return resolveRunSettings({ config, stored: run.settings, overrides, defaultYes });
}

/** What to execute: a new run in a session (new or existing), or a stored run continued from where it stopped. */
export type RunPlan =
  | { readonly kind: 'start'; readonly task: string; readonly runId: string; readonly sessionId: string; readonly settings: RunSettings }
  | { readonly kind: 'resume'; readonly run: StoredRun; readonly settings: RunSettings };

/** A plan to start `task`, in `sessionId` when given (continuing its transcript), else in a new session. */
export function planStart(input: { task: string; settings: RunSettings; sessionId?: string; runId?: string }): RunPlan & { kind: 'start' } {
  return { kind: 'start', task: input.task, settings: input.settings, runId: input.runId ?? newRecordId(), sessionId: input.sessionId ?? newRecordId() };
}

/**
 * Executes a run in this process: the one place a front end's run begins, started or resumed, persisted as it
 * goes. Nothing happens before the run's lease is taken (`runtime.leases`), so two processes never execute one
 * run: the second gets `RunLeaseHeldError` from its first `next()`. The lease is renewed while the run executes
 * and given back when it stops, however it stops; losing it (another process took it after it expired) cancels
 * the run here. Yields the run's events; never throws for what happens inside the run (its `run-end` says).
 */
export async function* executeRun(runtime: Runtime, plan: RunPlan, signal?: AbortSignal): AsyncGenerator<RunEvent, RunOutcome> {
  await using lease = await runtime.leases.hold(plan.kind === 'start' ? plan.runId : plan.run.id);
  const context = { ...runContext(runtime, signal), ownership: lease.signal };
  if (plan.kind === 'start') {
    return yield* startRun(context, { task: plan.task, runId: plan.runId, sessionId: plan.sessionId, settings: plan.settings });
  }
  return yield* resumeRun(context, plan.run, plan.settings);
}

/** A run as the API shows it (`GET /api/runs/:id`), with the ids of its pending approvals. */
export type RunView = RunListing &
  Pick<StoredRun, 'endedAt' | 'finalText' | 'error'> & {
    readonly pendingApprovals: readonly string[];
  };

/** The run with its pending approvals. Throws `RunNotFoundError` for an unknown id. */
export async function runView(store: Store, runId: string): Promise<RunView> {
  const run = await loadRun(store, runId);
  const pending = await new ApprovalStore(store.db).list({ status: 'pending', runId });
  return {
    id: run.id,
    sessionId: run.sessionId,
    task: run.task,
    model: run.model,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    totals: run.totals,
    finalText: run.finalText,
    error: run.error,
    pendingApprovals: pending.map((approval) => approval.id),
  };
}

/** True when the store has the run. */
export function runExists(store: Store, runId: string): Promise<boolean> {
  return new RunStore(store.db).exists(runId);
}

/** Throws `RunNotFoundError` unless the run exists. */
export async function requireRun(store: Store, runId: string): Promise<void> {
  if (!(await new RunStore(store.db).exists(runId))) throw new RunNotFoundError(runId);
}

/** The run's stored events, oldest first; only those up to `maxSeq` when given. Throws `RunNotFoundError`. */
export async function storedEvents(store: Store, runId: string, maxSeq?: number): Promise<RunEvent[]> {
  const runs = new RunStore(store.db);
  if (!(await runs.exists(runId))) throw new RunNotFoundError(runId);
  return runs.events(runId, maxSeq !== undefined ? { maxSeq } : {});
}

/** The highest stored event seq of the run (0 before its first event). */
export function lastEventSeq(store: Store, runId: string): Promise<number> {
  return new RunStore(store.db).lastSeq(runId);
}

/** The most recent runs of every session, newest first. */
export function recentRuns(store: Store, limit = 200): Promise<RunListing[]> {
  return new RunStore(store.db).recent(limit);
}
