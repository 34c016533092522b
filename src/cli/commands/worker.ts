import { openRuntime } from '../../app/runtime.js';
import { RunManager } from '../../app/run-manager.js';
import { DEFAULT_WORKER_CONCURRENCY, openScaleOut, requirePostgres } from '../../queue/index.js';
import { loadSettings } from '../../config/load.js';
import { queuedRunWorker, STOPPING_QUEUED_RUNS, stopSignal } from '../queued-runs.js';

/** The flags of `deckhand worker`. */
export interface WorkerCommandOptions {
  /** `--model`, given once or more (a fallback chain): the model resumed runs continue on. */
  readonly model?: readonly string[];
  readonly concurrency?: number;
}

/**
 * `deckhand worker [--concurrency N]`: executes queued runs on PostgreSQL until SIGINT or SIGTERM, then takes no
 * new run, lets those in progress go on for the shutdown grace, cancels the rest and queues them again. Throws
 * `UsageError` on SQLite (there is no queue), before anything starts.
 */
export async function workerCommand(options: WorkerCommandOptions): Promise<number> {
  requirePostgres(loadSettings({ flags: {} }).databaseUrl, '`deckhand worker`');
  await using runtime = await openRuntime({ ...(options.model !== undefined ? { model: options.model } : {}) });
  const databaseUrl = requirePostgres(runtime.settings.databaseUrl, '`deckhand worker`');
  await using scaleOut = await openScaleOut({ databaseUrl, db: runtime.store.db, role: 'worker', logger: runtime.logger });
  // A server's question mid-call, answered on any process, wakes the call waiting here at once.
  using _answers = runtime.elicitation.listenTo(scaleOut.feed);
  const runs = new RunManager({
    runtime,
    logger: runtime.logger,
    scaleOut,
    ...(runtime.settings.shutdownGraceMs !== undefined ? { shutdownGraceMs: runtime.settings.shutdownGraceMs } : {}),
  });
  const worker = queuedRunWorker(runtime, scaleOut, runs, options.concurrency);
  const stopped = stopSignal();
  try {
    await worker.start();
    process.stderr.write(`Deckhand worker on ${runtime.store.location} (model ${runtime.model.id}, ${options.concurrency ?? DEFAULT_WORKER_CONCURRENCY} at once). Ctrl-C stops it.\n`);
    await stopped;
    process.stderr.write(STOPPING_QUEUED_RUNS);
  } finally {
    await worker.stop();
    await runs.close();
  }
  return 0;
}
