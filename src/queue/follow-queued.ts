/**
 * @module `deckhand run --queue`: a run enqueued for any worker, followed from the store until it ends, as the
 * events of a run executing here would be (so the CLI renders it and maps its outcome to the same exit code).
 */
import type { RunEvent, RunOutcome } from '../contracts/index.js';
import { claimSession } from '../store/session-claim.js';
import type { RunJob } from './run-job.js';
import type { ScaleOutParts } from './scale-out.js';

/** How long, after Ctrl-C, the run's end is waited for before the CLI gives up following it. */
const CANCEL_WAIT_MS = 10_000;
/** How long a start's session claim holds before a worker records the run (as a queued start over the API). */
const START_CLAIM_MS = 30_000;
/** How often, after a run-end `cancelled` nobody here asked for, the queue is asked whether the run goes on. */
const HANDOVER_CHECK_MS = 250;

/** What the CLI is told when the worker executing the run stopped and queued it again. */
export const HANDED_OVER_MESSAGE =
  'The worker executing this run stopped (it was shut down) and queued the run again; following it until another worker finishes it.';

/**
 * Enqueues `job` and yields the run's events from the store as they are stored, until its `run-end`; returns
 * that end's outcome. Aborting `signal` asks the run's executor to cancel it (the run records `cancelled`);
 * when no executor answers in time (the job is still waiting), it returns `cancelled` and the job stays queued.
 *
 * A `cancelled` end this follower did not ask for is held back while the run still has an open job in the queue:
 * a worker shut down (SIGTERM) checkpoints the run and queues its resume before its own job completes, so the run
 * goes on elsewhere, and so does the following (a `warning` says so). Once no job of the run is open, nothing
 * will take it: the held end is the end.
 */
export async function* followQueuedRun(scaleOut: Pick<ScaleOutParts, 'db' | 'queue' | 'feed' | 'follower'>, job: RunJob, signal: AbortSignal): AsyncGenerator<RunEvent, RunOutcome> {
  // A start claims its session at the database before the job exists: throws SessionBusyError (exit 4) while
  // another run of the session executes, on any process.
  if (job.kind === 'start') await claimSession(scaleOut.db, { sessionId: job.sessionId, runId: job.runId, holdMs: START_CLAIM_MS });
  const pending: RunEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = await scaleOut.follower.followRun(job.runId, (event) => {
    pending.push(event);
    wake?.();
  });
  let giveUpAt = Infinity;
  const onAbort = () => {
    giveUpAt = Date.now() + CANCEL_WAIT_MS;
    void scaleOut.feed.requestCancel(job.runId).catch(() => {});
    wake?.();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  /** A `cancelled` end nobody here asked for, held until the queue says whether the run goes on. */
  let held: Extract<RunEvent, { type: 'run-end' }> | undefined;
  let warned = false;
  try {
    await scaleOut.queue.enqueue(job);
    for (;;) {
      while (pending.length > 0) {
        const event = pending.shift()!;
        // Another worker took the run's resume: the held end was not the end.
        held = undefined;
        if (event.type === 'run-end' && event.outcome === 'cancelled' && giveUpAt === Infinity) {
          held = event;
          continue;
        }
        yield event;
        if (event.type === 'run-end') return event.outcome;
      }
      if (held) {
        const open = giveUpAt === Infinity ? await scaleOut.queue.openJobs(job.runId) : { waiting: 0, active: 0 };
        if (open.waiting === 0 && open.active === 0) {
          yield held;
          return held.outcome;
        }
        // A job waiting for the run is its resume, queued by the worker that stopped (its own may still be completing).
        if (open.waiting > 0 && !warned) {
          warned = true;
          yield { type: 'warning', runId: job.runId, at: Date.now(), step: held.totals.steps, message: HANDED_OVER_MESSAGE };
        }
      }
      if (Date.now() >= giveUpAt) return 'cancelled';
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (giveUpAt !== Infinity) setTimeout(resolve, Math.max(0, giveUpAt - Date.now())).unref();
        if (held) setTimeout(resolve, HANDOVER_CHECK_MS).unref();
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
