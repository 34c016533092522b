/**
 * @module The runs executing in this process, for every front end that keeps runs going in the background
 * (`deckhand serve`, `deckhand worker`): start, resume and cancel, and fan their events out to subscribers (the
 * WebSocket), each of which sees the stored events first, then the live ones, with no gap and no repeat. With a
 * {@link ScaleOut} (PostgreSQL), starting or resuming enqueues a job that any process takes
 * ({@link RunManager.executeJob}), a cancel reaches the run wherever it executes, and subscribers follow runs from
 * the store. The queue is handed in as the {@link ScaleOut} interface: app/ never imports queue/.
 */
import type { RunEvent, RunJob } from '../contracts/index.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { claimSession, SessionBusyError } from '../store/session-claim.js';
import { RunConflictError, RunsUnavailableError } from './run-errors.js';
import {
  executeRun,
  isResumable,
  lastEventSeq,
  loadResumableRun,
  loadRun,
  planStart,
  RunLeaseHeldError,
  type RunPlan,
  resumeSettings,
  runExists,
  startSettings,
  storedEvents,
} from './runs.js';
import type { RunOverrides as SettingsOverrides } from './run-settings.js';
import type { Runtime } from './runtime.js';

/** Receives a run's events, in order. */
export type RunListener = (event: RunEvent) => void;

/** Receives every event of every run executing here, with its session. */
export type SessionEventListener = (sessionId: string, event: RunEvent) => void;

/** What a run executing here has done so far: its events after `baseSeq` are not necessarily stored yet. */
export interface ExecutionView {
  readonly runId: string;
  readonly sessionId: string;
  readonly baseSeq: number;
  /** Every event of this execution so far, in order; the array grows as the run goes on. */
  readonly events: readonly RunEvent[];
}

/** The options a run is started or resumed with over the API; unset ones fall back (`app/run-settings.ts`). */
export type RunOverrides = Pick<SettingsOverrides, 'yes' | 'maxSteps' | 'budgetUsd'>;

/** Where a run executing in this process stands. */
interface Execution {
  readonly sessionId: string;
  /** The highest stored event seq before this execution began: later ones are in `events`. */
  readonly baseSeq: number;
  /** Every event of this execution, in order (kept until it ends, so a late subscriber misses none). */
  readonly events: RunEvent[];
  readonly controller: AbortController;
  done?: Promise<void>;
}

/** How long {@link RunManager.start} waits, by default, for a worker to take a queued run and record it. */
export const DEFAULT_QUEUED_START_TIMEOUT_MS = 30_000;
/**
 * How long a job whose session is busy (another run of it executes) waits before it is tried again: a resume the
 * sweeper queued for an interrupted run, after a newer run took the session, queues behind that run this way.
 */
export const SESSION_BUSY_RETRY_SECONDS = 2;
/** How long, by default, closing waits for runs to end by themselves before it cancels them. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** Many processes on one PostgreSQL: where jobs go, and how runs executing elsewhere are followed and reached (`queue/`). */
export interface ScaleOut {
  /** Adds a job; `startAfterSeconds` holds it back that long (a job waiting for its session to be free). */
  readonly queue: { enqueue(job: RunJob, options?: { startAfterSeconds?: number }): Promise<string> };
  readonly follower: {
    /** Delivers the run's stored events, then each new one as it is stored; resolves with the unsubscribe. */
    followRun(runId: string, deliver: (event: RunEvent) => void): Promise<() => void>;
    /** True once the run is recorded, false when `timeoutMs` passes first. */
    waitForRun(runId: string, timeoutMs: number): Promise<boolean>;
  };
  readonly feed: {
    /** Calls `listener` with each cancel asked by any process; returns the unsubscribe. */
    onControl(listener: (request: { type: 'cancel'; runId: string }) => void): () => void;
    /** Asks whichever process executes the run to cancel it. */
    requestCancel(runId: string): Promise<void>;
  };
  /** How long a start waits for a worker to record the run. Default {@link DEFAULT_QUEUED_START_TIMEOUT_MS}. */
  readonly startTimeoutMs?: number;
}

function hasOverrides(overrides: RunOverrides): boolean {
  return overrides.yes !== undefined || overrides.maxSteps !== undefined || overrides.budgetUsd !== undefined;
}

/** What a {@link RunManager} runs with. */
export interface RunManagerOptions {
  readonly runtime: Runtime;
  readonly logger: Logger;
  /** Approve actions that would ask, for runs that do not say (`deckhand serve --yes`). Default false. */
  readonly yes?: boolean;
  /** Set on PostgreSQL: runs go through the queue and are followed from the store. */
  readonly scaleOut?: ScaleOut;
  /** How long closing lets runs go on before cancelling them. Default {@link DEFAULT_SHUTDOWN_GRACE_MS}. */
  readonly shutdownGraceMs?: number;
}

/**
 * Runs started over the API execute here, in the background, persisted by the durable run as usual. One run per
 * session at a time (their transcript is one sequence); a run executes at most once at a time.
 * Implements `Symbol.asyncDispose`: cancels what is running and waits for it to record its end.
 */
export class RunManager implements AsyncDisposable {
  private readonly executions = new Map<string, Execution>();
  /** Executions that have ended but are still giving their lease back: closing waits for them too. */
  private readonly ending = new Set<Promise<void>>();
  private readonly listeners = new Map<string, Set<RunListener>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly sessionListeners = new Set<SessionEventListener>();
  /** Runs stopped by this process's shutdown, to be queued again by the job that executed them. */
  private readonly handedOver = new Set<string>();
  private closing = false;

  private readonly stopControl: (() => void) | undefined;

  constructor(private readonly options: RunManagerOptions) {
    // A cancel asked on another process reaches the run here, if it executes here.
    this.stopControl = options.scaleOut?.feed.onControl((request) => {
      this.executions.get(request.runId)?.controller.abort(new Error('cancelled by a client'));
    });
  }

  /** True while the run executes in this process. */
  isExecuting(runId: string): boolean {
    return this.executions.has(runId);
  }

  /**
   * True while the run executes here or, with a scale-out, in any process (its lease is live and its end not yet
   * stored: a holder that has recorded the run's end is only giving its lease back, and a resume waits for that).
   */
  async isExecutingAnywhere(runId: string): Promise<boolean> {
    if (this.executions.has(runId)) return true;
    if (!this.options.scaleOut) return false;
    return (await this.options.runtime.leases.executor(runId)) !== undefined;
  }

  /** The run of `sessionId` executing here, if any (at most one per session). */
  executionOf(sessionId: string): ExecutionView | undefined {
    for (const [runId, execution] of this.executions) {
      if (execution.sessionId === sessionId) return { runId, sessionId, baseSeq: execution.baseSeq, events: execution.events };
    }
    return undefined;
  }

  /** Calls `listener` with every event of every run executing here, synchronously as it happens; returns the unsubscribe. */
  onSessionEvent(listener: SessionEventListener): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  /**
   * Cancels a run executing here: the tool call in flight is cancelled over MCP and the run records its end
   * (`cancelled`, resumable later). Throws `RunConflictError` (`NOT_EXECUTING`) when it executes nowhere.
   */
  async cancel(runId: string): Promise<{ runId: string; cancelled: true }> {
    const execution = this.executions.get(runId);
    if (execution) {
      execution.controller.abort(new Error('cancelled by a client'));
      return { runId, cancelled: true };
    }
    if (this.options.scaleOut && (await this.isExecutingAnywhere(runId))) {
      await this.options.scaleOut.feed.requestCancel(runId);
      return { runId, cancelled: true };
    }
    throw new RunConflictError('NOT_EXECUTING', `Run ${runId} is not executing${this.options.scaleOut ? '' : ' in this server'}; nothing to cancel.`);
  }

  /**
   * Starts a run in `sessionId` (continuing its stored transcript) or in a new session. Resolves once the run is
   * recorded (its first event), so `GET /api/runs/:id` finds it. Throws `RunConflictError` (`SESSION_BUSY`)
   * when the session is busy, `RunsUnavailableError` while closing or when no worker takes a queued start.
   */
  async start(input: { task: string; sessionId?: string } & RunOverrides): Promise<{ runId: string; sessionId: string }> {
    const { task, sessionId, ...overrides } = input;
    const settings = startSettings(this.options.runtime.settings, this.overrides(overrides), this.options.yes);
    const plan = planStart({ task, settings, ...(sessionId !== undefined ? { sessionId } : {}) });
    if (this.options.scaleOut) return this.enqueueStart(plan, this.options.scaleOut);
    await this.launch(plan, 0);
    return { runId: plan.runId, sessionId: plan.sessionId };
  }

  /**
   * Resumes a stored run from its persisted state with its own options unless overridden, on this server's model.
   * Throws `RunNotFoundError` for an unknown run, `RunNotResumableError` once it finished, and `RunConflictError`
   * (`RUN_EXECUTING`) when it is executing already.
   */
  resume(runId: string, overrides: RunOverrides = {}): Promise<{ runId: string; sessionId: string }> {
    return this.locked(runId, async () => {
      if (await this.isExecutingAnywhere(runId)) throw new RunConflictError('RUN_EXECUTING', `Run ${runId} is executing already; follow it on /api/runs/${runId}/stream.`);
      const { runtime } = this.options;
      const run = await loadResumableRun(runtime.store, runId);
      if (this.options.scaleOut) {
        if (this.closing) throw new RunsUnavailableError('SHUTTING_DOWN', 'The server is shutting down; try again on another.');
        await this.options.scaleOut.queue.enqueue({ schemaVersion: 1, kind: 'resume', runId, ...(hasOverrides(overrides) ? { overrides } : {}) });
        return { runId, sessionId: run.sessionId };
      }
      const baseSeq = await lastEventSeq(runtime.store, runId);
      const settings = resumeSettings(runtime.settings, run, this.overrides(overrides), this.options.yes);
      await this.launch({ kind: 'resume', run, settings }, baseSeq);
      return { runId, sessionId: run.sessionId };
    });
  }

  /**
   * Sends `listener` the run's events so far (stored ones, then those of an execution in progress), then every
   * new one, until the returned function is called. The backlog is sent synchronously before anything live.
   */
  subscribe(runId: string, listener: RunListener): Promise<() => void> {
    // Wherever the run executes, its events are read back from the store as they are announced.
    if (this.options.scaleOut) return this.options.scaleOut.follower.followRun(runId, (event) => listener(event));
    return this.locked(runId, async () => {
      const execution = this.executions.get(runId);
      const stored = await this.storedEvents(runId, execution?.baseSeq);
      // From here on nothing awaits: the backlog goes out before any live event can be dispatched.
      for (const event of [...stored, ...(execution?.events ?? [])]) listener(event);
      const set = this.listeners.get(runId) ?? new Set<RunListener>();
      this.listeners.set(runId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
      };
    });
  }

  /** The run's stored events, oldest first; only those up to `maxSeq` when given. Throws `RunNotFoundError`. */
  storedEvents(runId: string, maxSeq?: number): Promise<RunEvent[]> {
    return storedEvents(this.options.runtime.store, runId, maxSeq);
  }

  /**
   * Executes a job taken from the queue, here, to its end (or its pause). A job whose run executes elsewhere
   * (its lease is held), has ended, or was started already (a retried start job) does nothing: a run is never
   * executed twice. Resolves when the run stops here; throws only for a failure worth a retry of the job.
   */
  async executeJob(job: RunJob): Promise<void> {
    const { runtime } = this.options;
    const logger = this.options.logger.child({ runId: job.runId, job: job.kind });
    const exists = await runExists(runtime.store, job.runId);
    let done: Promise<void>;
    try {
      if (job.kind === 'start') {
        if (exists) return logger.info({}, 'start job for a run that exists already: nothing to do');
        ({ done } = await this.launch({ kind: 'start', task: job.task, runId: job.runId, sessionId: job.sessionId, settings: job.settings }, 0));
      } else {
        if (!exists) return logger.warn({}, 'resume job for an unknown run: nothing to do');
        const run = await loadRun(runtime.store, job.runId);
        if (!isResumable(run)) return logger.info({ status: run.status }, 'resume job for a run that ended: nothing to do');
        const baseSeq = await lastEventSeq(runtime.store, job.runId);
        const settings = resumeSettings(runtime.settings, run, this.overrides(job.overrides ?? {}), this.options.yes);
        ({ done } = await this.launch({ kind: 'resume', run, settings }, baseSeq));
      }
    } catch (error) {
      if (error instanceof RunConflictError && error.code === 'RUN_EXECUTING') return logger.info({ error: error.message }, 'run executes elsewhere: job skipped');
      // Another run has the session: a resume of an interrupted run (its executor died, and a newer run took the
      // session once the dead one's claim lapsed), or a start whose claim lapsed before a worker took it. Neither is
      // dropped: the job is queued again, to be tried once more in a moment, until the session is free.
      if (error instanceof RunConflictError && error.code === 'SESSION_BUSY') return this.queueBehind(job, error.message);
      throw error;
    }
    await done;
    // Stopped by this process's shutdown: queued again before this job completes, so the run has an open job
    // throughout (whoever follows it through the queue keeps following) and another process resumes it.
    if (this.handedOver.delete(job.runId)) await this.requeue(job.runId);
  }

  /**
   * Stops taking runs, lets those executing here go on for up to `shutdownGraceMs` (with a scale-out), then
   * cancels the rest (each records its end, so its lease is released) and waits for them. With a scale-out, each
   * run cancelled so is queued again, so another process resumes it from where it stopped.
   */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.executions.entries()];
    if (running.length > 0 && this.options.scaleOut) {
      const grace = this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const { promise: timeout, resolve } = Promise.withResolvers<void>();
      const timer = setTimeout(resolve, grace);
      await Promise.race([Promise.allSettled(running.map(([, execution]) => execution.done)), timeout]);
      clearTimeout(timer);
    }
    const left = [...this.executions.entries()];
    for (const [runId, execution] of left) {
      // With a scale-out every execution is a job's: executeJob queues it again once it has stopped.
      if (this.options.scaleOut) this.handedOver.add(runId);
      execution.controller.abort(new Error('the server is shutting down'));
    }
    await Promise.allSettled([...left.map(([, execution]) => execution.done), ...this.ending]);
    this.stopControl?.();
    this.listeners.clear();
  }

  /** Queues `job` again, held back {@link SESSION_BUSY_RETRY_SECONDS}, because its session is busy. */
  private async queueBehind(job: RunJob, reason: string): Promise<void> {
    const logger = this.options.logger.child({ runId: job.runId, job: job.kind });
    // Jobs come only with a scale-out; without one there is no queue to wait in.
    if (!this.options.scaleOut) return logger.warn({ reason }, 'session busy: job skipped');
    // This job completes only once the next is stored: the run has an open job throughout (see requeue).
    await this.options.scaleOut.queue.enqueue(job, { startAfterSeconds: SESSION_BUSY_RETRY_SECONDS });
    logger.info({ reason, retryInSeconds: SESSION_BUSY_RETRY_SECONDS }, 'session busy: job queued again behind the run holding it');
  }

  /** Queues the resume of a run this process stopped while shutting down. */
  private async requeue(runId: string): Promise<void> {
    await this.options.scaleOut?.queue.enqueue({ schemaVersion: 1, kind: 'resume', runId }).catch((error: unknown) => {
      this.options.logger.error({ runId, error: errorMessage(error) }, 'could not queue the interrupted run again; resume it by hand');
    });
  }

  /** Enqueues a start and waits for a worker (maybe this process) to record the run, so it can be followed at once. */
  private async enqueueStart(plan: RunPlan & { kind: 'start' }, scaleOut: ScaleOut): Promise<{ runId: string; sessionId: string }> {
    if (this.closing) throw new RunsUnavailableError('SHUTTING_DOWN', 'The server is shutting down; try again on another.');
    const timeoutMs = scaleOut.startTimeoutMs ?? DEFAULT_QUEUED_START_TIMEOUT_MS;
    // The session is claimed at the database before the job exists, for as long as a worker may take to record the
    // run: of two processes starting runs on one session at once, exactly one enqueues.
    try {
      await claimSession(this.options.runtime.store.db, { sessionId: plan.sessionId, runId: plan.runId, holdMs: timeoutMs });
    } catch (error) {
      if (error instanceof SessionBusyError) throw new RunConflictError('SESSION_BUSY', error.message);
      throw error;
    }
    await scaleOut.queue.enqueue({ schemaVersion: 1, kind: 'start', runId: plan.runId, sessionId: plan.sessionId, task: plan.task, settings: plan.settings });
    if (!(await scaleOut.follower.waitForRun(plan.runId, timeoutMs))) {
      throw new RunsUnavailableError(
        'NOT_TAKEN',
        `Run ${plan.runId} is queued, but no worker took it within ${Math.round(timeoutMs / 1000)} s; it starts when one does (start one with \`deckhand worker\`).`,
      );
    }
    return { runId: plan.runId, sessionId: plan.sessionId };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The API's overrides; the model is always this server's own, the one the process has open (`app/run-settings.ts`). */
  private overrides(overrides: RunOverrides) {
    const { settings } = this.options.runtime;
    return { ...overrides, model: [this.options.runtime.model.id, ...settings.fallbackModelIds] };
  }

  /**
   * Registers the execution, pumps its events in the background, and resolves on its first event with a promise
   * of its end (wrapped: a promise resolved with a promise would wait for it).
   */
  private async launch(plan: RunPlan, baseSeq: number): Promise<{ done: Promise<void> }> {
    const runId = plan.kind === 'start' ? plan.runId : plan.run.id;
    const sessionId = plan.kind === 'start' ? plan.sessionId : plan.run.sessionId;
    if (this.closing) throw new RunsUnavailableError('SHUTTING_DOWN', 'The server is shutting down; try again on another.');
    // Checked and registered with no await in between, so two requests cannot both take the session.
    const busy = [...this.executions.entries()].find(([, execution]) => execution.sessionId === sessionId);
    if (busy) throw new RunConflictError('SESSION_BUSY', `Session ${sessionId} has run ${busy[0]} executing; wait for it to end (follow /api/runs/${busy[0]}/stream).`);
    const execution: Execution = { sessionId, baseSeq, events: [], controller: new AbortController() };
    this.executions.set(runId, execution);
    const logger = this.options.logger.child({ runId, sessionId });
    const { promise: started, resolve, reject } = Promise.withResolvers<void>();
    execution.done = (async () => {
      let seen = false;
      try {
        for await (const event of executeRun(this.options.runtime, plan, execution.controller.signal)) {
          execution.events.push(event);
          this.dispatch(runId, event);
          if (!seen) resolve();
          seen = true;
          if (event.type === 'run-end') {
            logger.info({ outcome: event.outcome, steps: event.totals.steps, costUsd: event.totals.costUsd }, 'run ended');
            // Its end is stored and handed on: the session is free, and a resume of the run may start now (it waits
            // the few milliseconds the lease takes to be given back) instead of being told the run is executing.
            this.settle(runId, execution);
          }
        }
      } catch (error) {
        if (error instanceof RunLeaseHeldError) {
          // Another process executes the run: the request that asked for it is answered 409 with who and since when.
          if (!seen) reject(new RunConflictError('RUN_EXECUTING', error.message));
        } else if (error instanceof SessionBusyError) {
          // Another run of the session took it first, maybe on another process (the store's session claim).
          if (!seen) reject(new RunConflictError('SESSION_BUSY', error.message));
        } else {
          logger.error({ error: errorMessage(error) }, 'run failed outside the loop');
          if (!seen) reject(error);
        }
      } finally {
        this.settle(runId, execution);
        resolve();
      }
    })();
    const done = execution.done;
    this.ending.add(done);
    void done.finally(() => this.ending.delete(done));
    await started;
    return { done };
  }

  /** Forgets the execution (not a later one of the same run, which may have started once this one ended). */
  private settle(runId: string, execution: Execution): void {
    if (this.executions.get(runId) === execution) this.executions.delete(runId);
  }

  private dispatch(runId: string, event: RunEvent): void {
    const sessionId = this.executions.get(runId)?.sessionId;
    if (sessionId !== undefined) {
      for (const listener of this.sessionListeners) {
        try {
          listener(sessionId, event);
        } catch (error) {
          this.options.logger.warn({ runId, error: errorMessage(error) }, 'session listener failed');
        }
      }
    }
    for (const listener of this.listeners.get(runId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger.warn({ runId, error: errorMessage(error) }, 'run listener failed');
      }
    }
  }

  /** Runs `work` after every earlier `work` for the same run: resumes and subscriptions see a stable `baseSeq`. */
  private async locked<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(runId) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => {});
    this.locks.set(runId, tail);
    try {
      return await current;
    } finally {
      if (this.locks.get(runId) === tail) this.locks.delete(runId);
    }
  }
}
