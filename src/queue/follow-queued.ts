/**
 * @module `deckhand run --queue`: a run enqueued for any worker, followed from the store until it ends, as the
 * events of a run executing here would be (so the CLI renders it and maps its outcome to the same exit code).
 */
import type { RunEvent, RunOutcome } from '../contracts/index.js';
import type { RunJob } from './run-job.js';
import type { ScaleOutParts } from './scale-out.js';

/** How long, after Ctrl-C, the run's end is waited for before the CLI gives up following it. */
const CANCEL_WAIT_MS = 10_000;

/**
 * Enqueues `job` and yields the run's events from the store as they are stored, until its `run-end`; returns
 * that end's outcome. Aborting `signal` asks the run's executor to cancel it (the run records `cancelled`);
 * when no executor answers in time (the job is still waiting), it returns `cancelled` and the job stays queued.
 */
export async function* followQueuedRun(scaleOut: Pick<ScaleOutParts, 'queue' | 'feed' | 'follower'>, job: RunJob, signal: AbortSignal): AsyncGenerator<RunEvent, RunOutcome> {
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
  try {
    await scaleOut.queue.enqueue(job);
    for (;;) {
      while (pending.length > 0) {
        const event = pending.shift()!;
        yield event;
        if (event.type === 'run-end') return event.outcome;
      }
      if (Date.now() >= giveUpAt) return 'cancelled';
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (giveUpAt !== Infinity) setTimeout(resolve, Math.max(0, giveUpAt - Date.now())).unref();
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
