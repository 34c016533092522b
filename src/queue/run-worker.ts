/**
 * @module The worker loop of `deckhand serve` and `deckhand worker`: takes run jobs from the queue and has them
 * executed here, and sweeps for interrupted runs (their executor died: status `running`, lease expired) to queue
 * their resume, so another process takes them over from their stored state.
 *
 * Recovery is the sweeper's, not pg-boss's job expiry: the run lease is what says whether a run's executor is
 * alive (renewed every third of its time to live, configurable down to 100 ms), while pg-boss's heartbeat
 * cannot go under 10 s and knows nothing of runs executed outside the queue (`deckhand run` killed on PostgreSQL).
 */
import type { Kysely } from 'kysely';
import { errorMessage } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { RunStore } from '../store/run-store.js';
import type { Database } from '../store/schema.js';
import type { RunJobHandler, RunQueue } from './run-queue.js';

/** Jobs a `deckhand worker` executes at once unless told (`--concurrency`). */
export const DEFAULT_WORKER_CONCURRENCY = 4;

/** What a {@link RunWorker} works with. */
export interface RunWorkerOptions {
  readonly queue: RunQueue;
  readonly db: Kysely<Database>;
  /** Executes one job to its end here (see `RunManager.executeJob`). */
  readonly execute: RunJobHandler;
  /** Jobs executed at once in this process. Default {@link DEFAULT_WORKER_CONCURRENCY}. */
  readonly concurrency?: number;
  /** How often to sweep for interrupted runs: the run lease's time to live is a good pace. */
  readonly sweepIntervalMs: number;
  readonly logger?: Logger;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** Takes jobs and sweeps until {@link RunWorker.stop}. Implements `Symbol.asyncDispose`. */
export class RunWorker implements AsyncDisposable {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: RunWorkerOptions) {
    this.logger = options.logger ?? noopLogger;
  }

  /** Starts taking jobs and sweeping (one sweep at once, then every `sweepIntervalMs`). */
  async start(): Promise<void> {
    await this.options.queue.work({ concurrency: this.options.concurrency ?? DEFAULT_WORKER_CONCURRENCY, handler: this.options.execute });
    const tick = () => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => this.logger.warn({ error: errorMessage(error) }, 'sweep for interrupted runs failed'))
        .finally(() => {
          this.sweeping = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.options.sweepIntervalMs);
    this.timer.unref();
  }

  /**
   * Queues the resume of every interrupted run: status `running` with an expired lease. The expired lease is
   * deleted first, by one conditional statement, so of several sweeping processes exactly one queues each run.
   * Resolves with the ids of the runs it queued.
   */
  async sweep(): Promise<string[]> {
    const { db } = this.options;
    const now = (this.options.now ?? Date.now)();
    const stale = await new RunStore(db).expiredLeasesOfRunningRuns(now);
    const queued: string[] = [];
    for (const lease of stale) {
      const deleted = await db
        .deleteFrom('run_leases')
        .where('run_id', '=', lease.runId)
        .where('owner_id', '=', lease.ownerId)
        .where('expires_at', '<', now)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) !== 1) continue;
      await this.options.queue.enqueue({ schemaVersion: 1, kind: 'resume', runId: lease.runId });
      await this.options.queue.settleAbandoned(lease.runId);
      this.logger.info({ runId: lease.runId, pid: lease.pid, host: lease.host }, 'interrupted run queued for resume: its executor stopped renewing its lease');
      queued.push(lease.runId);
    }
    return queued;
  }

  /** Stops sweeping and taking new jobs; jobs being executed go on (their runs decide when they end). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.options.queue.stopWorking();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
