/** @module How a crashed server is restarted: the waits between attempts, and when to give up. */

const RESTART_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000] as const;

/** A server that crashes this many times in a row without a successful call is given up on. */
export const MAX_CONSECUTIVE_RESTARTS = RESTART_BACKOFF_MS.length;

/** The wait before restart attempt `attempt` (0-based), milliseconds. */
export function restartBackoffMs(attempt: number): number {
  return RESTART_BACKOFF_MS[attempt] ?? 5_000;
}
