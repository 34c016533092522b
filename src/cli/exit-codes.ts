import type { RunOutcome } from '../contracts/index.js';

/**
 * Process exit codes (DESIGN.md): 0 finished, 1 failed, 2 bad usage/config, 3 paused waiting for approval,
 * 4 the run is being executed by another process.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  paused: 3,
  /** Another process holds the run's lease (see `RunLeaseHeldError`). */
  busy: 4,
  /** Interrupted by Ctrl-C (128 + SIGINT), as shells report it. */
  cancelled: 130,
} as const;

export function exitCodeFor(outcome: RunOutcome): number {
  switch (outcome) {
    case 'finished':
      return EXIT.ok;
    case 'paused':
      return EXIT.paused;
    case 'cancelled':
      return EXIT.cancelled;
    case 'failed':
    case 'budget-exhausted':
      return EXIT.failed;
  }
}
