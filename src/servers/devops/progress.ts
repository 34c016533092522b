/**
 * @module Progress notifications for a long tool call (`notifications/progress` on the caller's token): one per
 * phase, output lines at most every {@link LINE_INTERVAL_MS}, and a heartbeat so a host's call timeout, which
 * restarts on progress, does not end a test run that is merely quiet.
 */
import type { ServerContext } from '@modelcontextprotocol/server';

const LINE_INTERVAL_MS = 500;
const HEARTBEAT_MS = 10_000;

export class Progress implements Disposable {
  private progress = 0;
  private sent = 0;
  private lastLineAt = 0;
  private message = '';
  private readonly heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: ServerContext,
    private readonly total: number,
  ) {
    if (this.token() !== undefined) {
      this.heartbeat = setInterval(() => this.send(this.message), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  /** Phase `step` of `total` has started. */
  step(step: number, message: string): void {
    this.progress = step;
    this.sent = 0;
    this.message = message;
    this.send(message);
  }

  /** An output line of the running command (throttled). */
  line(text: string): void {
    const now = Date.now();
    if (now - this.lastLineAt < LINE_INTERVAL_MS) return;
    this.lastLineAt = now;
    this.send(`${this.message}: ${text.slice(0, 200)}`);
  }

  [Symbol.dispose](): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  private token(): string | number | undefined {
    return this.context.mcpReq._meta?.progressToken;
  }

  private send(message: string): void {
    const progressToken = this.token();
    if (progressToken === undefined) return;
    // The spec wants progress to grow with every notification: lines and heartbeats add a sliver within the phase.
    this.sent += 1;
    const progress = Math.min(this.progress + this.sent * 0.0001, this.progress + 0.9999);
    // A lost progress notification must never fail the deploy.
    void this.context.mcpReq
      .notify({ method: 'notifications/progress', params: { progressToken, progress, total: this.total, message } })
      .catch(() => {});
  }
}
