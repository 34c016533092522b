/** @module A call's timeout that can stop while the host answers the server, and start over on progress. */

/** The longest delay `setTimeout` takes (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A call's timeout that can stop and start over: stopped while the host answers one of the server's requests (a
 * person, the model), started over by each progress notification (see `ServerConnection`).
 */
export class CallClock {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Aborts when the time runs out. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts the full timeout over. */
  start(): void {
    this.stop();
    this.timer = setTimeout(() => this.controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
