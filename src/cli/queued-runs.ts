/**
 * @module What `deckhand serve` and `deckhand worker` share to take queued runs on PostgreSQL and to stop: the
 * worker over the queue, the wait for SIGINT or SIGTERM, and what they say when they stop.
 */
import type { RunManager } from '../app/run-manager.js';
import type { Runtime } from '../app/runtime.js';
import { RunWorker, type ScaleOutParts } from '../queue/index.js';

/**
 * A worker taking the queue's runs and executing them through `runs`, `concurrency` at once (default
 * `DEFAULT_WORKER_CONCURRENCY`), sweeping for interrupted runs at the pace of the run lease. Not started yet.
 */
export function queuedRunWorker(runtime: Runtime, scaleOut: ScaleOutParts, runs: RunManager, concurrency?: number): RunWorker {
  return new RunWorker({
    queue: scaleOut.queue,
    db: runtime.store.db,
    execute: (job) => runs.executeJob(job),
    ...(concurrency !== undefined ? { concurrency } : {}),
    sweepIntervalMs: runtime.leases.ttlMs,
    logger: runtime.logger,
  });
}

/** Resolves on the first SIGINT or SIGTERM the process receives from now on. */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** What a process taking queued runs says when it stops: it takes no new run; those in progress have the shutdown grace. */
export const STOPPING_QUEUED_RUNS = 'Stopping: no new runs taken; letting runs in progress finish…\n';
