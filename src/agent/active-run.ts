import type { ModelPrice, PricedModel } from '../models/pricing.js';
import type { PromptCounter } from '../models/token-count.js';
import type { Model } from '../models/types.js';
import type { RunEvent, RunOutcome, RunTotals, Usage } from '../contracts/index.js';
import type { Budget, Spend } from './budget.js';
import { addExtra, type ExtraSpending, NO_EXTRA_SPENDING, spendOf, withExtra } from './totals.js';

/** A tool call the loop has announced and not yet reported on. */
export interface CallInFlight {
  readonly toolCallId: string;
  readonly server: string;
  readonly tool: string;
}

export interface ActiveRunOptions {
  readonly runId: string;
  readonly sessionId: string;
  /** The run's model: sampling requests are answered with it. */
  readonly model: Model;
  readonly price?: ModelPrice;
  /** Prices by model; default: `price` for every model. */
  readonly priceOf?: (model: PricedModel) => ModelPrice | undefined;
  /** Null for no limit. */
  readonly budgetUsd: number | null;
  /** The run's budget, which sampling requests are checked against too. */
  readonly budget?: Budget;
  readonly promptCounter?: PromptCounter;
  readonly signal?: AbortSignal;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/**
 * A run while it executes, as the host's answers to servers' requests need it: which run and step they belong
 * to, which calls are in flight, and what the run has spent. Usage from outside the loop (sampling) is added to
 * the loop's totals here; {@link ActiveRun.track} passes the loop's events through with those totals, inserts
 * the events others {@link ActiveRun.emit} (as they happen, even while a tool call is in flight). Sampling requests
 * are checked against the run's {@link Budget} like the loop's own calls.
 */
export class ActiveRun {
  readonly runId: string;
  readonly sessionId: string;
  readonly model: Model;
  readonly price: ModelPrice | undefined;
  readonly budgetUsd: number | null;
  readonly budget: Budget | undefined;
  readonly promptCounter: PromptCounter | undefined;
  readonly priceOf: (model: PricedModel) => ModelPrice | undefined;
  readonly signal: AbortSignal | undefined;
  /** When this execution of the run started (ms since the epoch). */
  readonly startedAt: number;
  /** The step in progress. */
  step = 0;
  private readonly now: () => number;
  private loopTotals: RunTotals;
  private extra: ExtraSpending = NO_EXTRA_SPENDING;
  private readonly inFlight = new Map<string, CallInFlight>();
  private readonly queue: RunEvent[] = [];
  private wake: (() => void) | undefined;

  /** `totals`: what the loop starts from (a resumed run's stored totals). */
  constructor(options: ActiveRunOptions, totals: RunTotals) {
    this.runId = options.runId;
    this.sessionId = options.sessionId;
    this.model = options.model;
    this.price = options.price;
    this.budgetUsd = options.budgetUsd;
    this.budget = options.budget;
    this.promptCounter = options.promptCounter;
    this.priceOf = options.priceOf ?? (() => options.price);
    this.signal = options.signal;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.loopTotals = totals;
  }

  /** The loop's `totals` plus what was spent outside it. */
  combine(totals: RunTotals): RunTotals {
    return withExtra(totals, this.extra);
  }

  /** Everything the run has spent so far. */
  totals(): RunTotals {
    return this.combine(this.loopTotals);
  }

  /** Dollars left of the budget (never below zero), or null without a budget. */
  remainingUsd(): number | null {
    return this.budgetUsd === null ? null : Math.max(0, this.budgetUsd - this.totals().costUsd);
  }

  /** The call in flight on `server`, when there is exactly one (parallel calls to one server are ambiguous). */
  callOn(server: string): CallInFlight | undefined {
    const calls = [...this.inFlight.values()].filter((call) => call.server === server);
    return calls.length === 1 ? calls[0] : undefined;
  }

  /** Whether the call `toolCallId` is in flight in this run. */
  hasCall(toolCallId: string): boolean {
    return this.inFlight.has(toolCallId);
  }

  hasCallOn(server: string): boolean {
    for (const call of this.inFlight.values()) if (call.server === server) return true;
    return false;
  }

  /** The run's spending as its budget measures it, sampling included. */
  spend(): Spend {
    return spendOf(this.totals(), (this.now() - this.startedAt) / 1_000);
  }

  /** Counts usage from outside the loop (a sampling request) against the run, and emits its `usage` event. */
  addUsage(usage: Usage, costUsd: number, details: { model?: string; durationMs?: number; promptTokensEstimate?: number } = {}): void {
    this.extra = addExtra(this.extra, usage, costUsd);
    this.emit({
      type: 'usage',
      runId: this.runId,
      at: this.now(),
      step: this.step,
      usage,
      costUsd,
      totals: this.totals(),
      kind: 'sampling',
      ...(details.model !== undefined ? { model: details.model } : {}),
      ...(details.durationMs !== undefined ? { durationMs: details.durationMs } : {}),
      ...(details.promptTokensEstimate ? { promptTokensEstimate: details.promptTokensEstimate } : {}),
    });
  }

  /** Adds an event to the run's stream; it is yielded at once, even while the loop waits on a tool call. */
  emit(event: RunEvent): void {
    this.queue.push(event);
    this.wake?.();
  }

  /** Passes the loop's events through (see the class comment). */
  async *track(loop: AsyncGenerator<RunEvent, RunOutcome>): AsyncGenerator<RunEvent, RunOutcome> {
    let next = loop.next();
    for (;;) {
      const result = await Promise.race([next, this.emitted()]);
      yield* this.queue.splice(0);
      if (result === undefined) continue;
      if (result.done) return result.value;
      // The loop checks its budget with `combine`, so sampling's spending counts there too.
      yield this.observe(result.value);
      next = loop.next();
    }
  }

  /** Resolves (with undefined) once an event is emitted. */
  private emitted(): Promise<undefined> {
    if (this.queue.length > 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve(undefined);
      };
    });
  }

  /** Follows the run's progress from one of its events; returns it with the totals that include sampling. */
  private observe(event: RunEvent): RunEvent {
    switch (event.type) {
      case 'step-start':
        this.step = event.step;
        return event;
      case 'tool-call':
        this.inFlight.set(event.toolCallId, { toolCallId: event.toolCallId, server: event.server, tool: event.tool });
        return event;
      case 'tool-result':
      case 'tool-error':
        this.inFlight.delete(event.toolCallId);
        return event;
      case 'usage':
      case 'run-end':
        this.loopTotals = event.totals;
        return { ...event, totals: this.totals() };
      default:
        return event;
    }
  }
}

/**
 * The runs executing in this process, so a server's request (which names only the server) finds its run: the
 * CLI runs one at a time; with several, the one with a call in flight on that server.
 */
export class ActiveRuns {
  private readonly runs: ActiveRun[] = [];

  /** Registers a run until the returned handle is disposed. */
  attach(run: ActiveRun): Disposable {
    this.runs.push(run);
    return {
      [Symbol.dispose]: () => {
        const index = this.runs.indexOf(run);
        if (index >= 0) this.runs.splice(index, 1);
      },
    };
  }

  /**
   * Passes a server's progress notification on as a `tool-progress` event of the run whose call it is; dropped when
   * no run has that call in flight (a call made outside a run).
   */
  progress(update: { toolCallId: string; server: string; tool: string; progress: number; total?: number; message?: string }): void {
    const run = this.runs.findLast((candidate) => candidate.hasCall(update.toolCallId));
    run?.emit({ type: 'tool-progress', runId: run.runId, at: Date.now(), step: run.step, ...update });
  }

  /** The run a request from `server` belongs to: the latest with a call in flight there, else the only run. */
  forServer(server: string): ActiveRun | undefined {
    return this.runs.findLast((run) => run.hasCallOn(server)) ?? (this.runs.length === 1 ? this.runs[0] : undefined);
  }
}
