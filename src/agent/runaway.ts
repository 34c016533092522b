/**
 * @module Runaway protection: a model that calls the same tool with the same arguments and gets the same result
 * again and again is going nowhere, and every round costs money. The third identical round stops the run.
 */
import { canonicalJson } from '../shared/canonical-json.js';

/** Identical calls (tool, arguments and result) that stop a run. */
export const RUNAWAY_REPEATS = 3;

/** Counts identical tool rounds within one run. */
export class RunawayDetector {
  private readonly seen = new Map<string, number>();

  constructor(private readonly limit: number = RUNAWAY_REPEATS) {}

  /**
   * Records one finished call; returns the reason to stop when it is the `limit`-th identical one, else undefined.
   * `display` is `server.tool` as people read it.
   */
  record(display: string, args: Record<string, unknown>, output: string): string | undefined {
    const key = `${display}\u0000${canonicalJson(args)}\u0000${output}`;
    const count = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, count);
    if (count < this.limit) return undefined;
    const shown = canonicalJson(args);
    return (
      `Stopped: ${display} was called ${count} times with the same arguments (${shown.length > 200 ? `${shown.slice(0, 199)}…` : shown}) and gave the same ` +
      'result each time, so the run was going in circles. Rephrase the task or give the missing information.'
    );
  }
}
