import { randomUUID } from 'node:crypto';
import type { ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/client';
import type { ElicitationHandler } from '../mcp/connection-types.js';
import { delay } from '../shared/abort.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { type ApprovalRow, type ApprovalStore, storedArgs } from '../store/approval-store.js';
import type { ActiveRun, ActiveRuns } from './active-run.js';
import { checkContent, type ElicitationContent, type ElicitationSchema, parseAnswer } from './elicitation-schema.js';

export const DEFAULT_ELICITATION_TIMEOUT_MS = 120_000;
/**
 * How often a waiting elicitation looks for a decision made in another process when nothing announces one (SQLite:
 * `deckhand approvals answer` in another terminal). A decision made in this process wakes it at once.
 */
export const ELICITATION_POLL_INTERVAL_MS = 250;
/**
 * How often it looks while decisions are announced across processes ({@link ElicitationRouter.listenTo}: LISTEN/NOTIFY
 * on PostgreSQL): only a backstop, for an announcement lost while the listening connection reconnects.
 */
export const ELICITATION_BACKSTOP_POLL_INTERVAL_MS = 5_000;

/** Announces approvals settled by any process (the event feed on PostgreSQL). */
export interface ApprovalAnnouncements {
  /** Calls `listener` for each approval that leaves `pending`; returns the unsubscribe. */
  onApprovalResolved(listener: (notice: { approvalId: string }) => void): () => void;
}

/** A server's question, as a person is shown it. */
export interface ElicitationQuestion {
  readonly approvalId: string;
  readonly server: string;
  /** The tool whose call is waiting, when it is known. */
  readonly tool: string | undefined;
  readonly message: string;
  readonly schema: ElicitationSchema;
  readonly expiresAt: string;
}

/** What a person answered at a terminal; `by` names them in the audit log. */
export type ElicitationAnswer =
  | { readonly action: 'accept'; readonly content: ElicitationContent; readonly by: string }
  | { readonly action: 'decline' | 'cancel'; readonly by: string };

/** Asks a person at a terminal. Rejects with the signal's reason once it aborts (decided elsewhere, timed out). */
export type ElicitationPrompt = (question: ElicitationQuestion, signal: AbortSignal) => Promise<ElicitationAnswer>;

export interface ElicitationRouterOptions {
  readonly approvals: ApprovalStore;
  readonly runs: ActiveRuns;
  /** How long a question waits for a person before it is cancelled. Default 120 s. */
  readonly timeoutMs?: number;
  /** Default {@link ELICITATION_POLL_INTERVAL_MS}. */
  readonly pollIntervalMs?: number;
  /** While announcements are heard ({@link ElicitationRouter.listenTo}). Default {@link ELICITATION_BACKSTOP_POLL_INTERVAL_MS}. */
  readonly backstopPollIntervalMs?: number;
  readonly logger?: Logger;
}

interface Settled {
  readonly result: ElicitResult;
  readonly row: ApprovalRow;
  /** Why an accepted answer was not passed on. */
  readonly problem?: string;
}

const NO_ANSWER: ElicitResult = { action: 'cancel' };

/**
 * Routes servers' elicitation requests through Deckhand's approval path. The server's tool call waits for the
 * answer, so the run cannot pause across processes; instead the question becomes a durable pending approval
 * (kind `elicitation`), is emitted as an `approval-request` event, and is waited for in this process: asked at
 * the terminal when a prompt is in use, and looked for in the store (at once when a decision is made in this
 * process or, with {@link ElicitationRouter.listenTo}, announced by any; polled otherwise), so `deckhand approvals approve ID --args
 * '{…}'`, `deny ID` or `answer ID "…"` from anywhere settles it. Approved content is checked against the
 * requested schema (defaults filled). Approve → `accept`, deny → `decline`, timeout, expiry or cancellation →
 * `cancel`. Every question and what the server was told goes to the audit log.
 */
export class ElicitationRouter {
  private prompt: ElicitationPrompt | undefined;
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly backstopPollIntervalMs: number;
  private readonly logger: Logger;
  /** The waits in progress, by approval id: each wakes to read the store again. */
  private readonly wakers = new Map<string, Set<() => void>>();
  /** How many announcement sources are attached: while any is, the poll is only a backstop. */
  private announcers = 0;
  /** Sources to open when a question first waits ({@link listenWhenAsked}); each opens once. */
  private readonly openers = new Set<() => void>();

  constructor(private readonly options: ElicitationRouterOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ELICITATION_TIMEOUT_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? ELICITATION_POLL_INTERVAL_MS;
    this.backstopPollIntervalMs = options.backstopPollIntervalMs ?? ELICITATION_BACKSTOP_POLL_INTERVAL_MS;
    this.logger = options.logger ?? noopLogger;
    // A decision made in this process (the API of this serve, a prompt) wakes its wait at once.
    options.approvals.onSettled((approvalId) => this.wake(approvalId));
  }

  /**
   * Wakes each question waiting on `approvalId` here to read its decision now, when another process settled it
   * and announced so ({@link ApprovalAnnouncements}), until the returned handle is disposed; meanwhile the store
   * is polled only every {@link ELICITATION_BACKSTOP_POLL_INTERVAL_MS}.
   */
  listenTo(announcements: ApprovalAnnouncements): Disposable {
    const unsubscribe = announcements.onApprovalResolved((notice) => this.wake(notice.approvalId));
    this.announcers += 1;
    let disposed = false;
    return {
      [Symbol.dispose]: () => {
        if (disposed) return;
        disposed = true;
        unsubscribe();
        this.announcers -= 1;
      },
    };
  }

  /**
   * {@link listenTo} the announcements `open` gives, opened only when a question first waits here: for a process
   * where most runs never ask (the CLI executing a run on PostgreSQL), so none pays a connection for nothing. Until
   * they are open the store is polled at the usual pace; once they are, every waiting question reads it again (an
   * answer given while they opened is not missed). Disposing the handle closes what was opened. A failure to open
   * is logged and leaves the poll.
   */
  listenWhenAsked(open: () => Promise<ApprovalAnnouncements & AsyncDisposable>): AsyncDisposable {
    let opening: Promise<void> | undefined;
    let source: AsyncDisposable | undefined;
    let attached: Disposable | undefined;
    let disposed = false;
    const start = () => {
      opening ??= open()
        .then((opened) => {
          source = opened;
          if (disposed) return;
          attached = this.listenTo(opened);
          for (const wakers of this.wakers.values()) for (const wake of wakers) wake();
        })
        .catch((error: unknown) => this.logger.warn({ error: String(error) }, 'could not listen for answers given on other processes; polling the store'));
    };
    this.openers.add(start);
    return {
      [Symbol.asyncDispose]: async () => {
        disposed = true;
        this.openers.delete(start);
        await opening;
        attached?.[Symbol.dispose]();
        await source?.[Symbol.asyncDispose]();
      },
    };
  }

  /** Wakes the questions waiting on `approvalId` here, if any, to read the store now. */
  private wake(approvalId: string): void {
    for (const wake of this.wakers.get(approvalId) ?? []) wake();
  }

  /** The handler to give `McpHost.start` as its `elicitation` option. */
  readonly handle: ElicitationHandler = (request, { server, signal }) => {
    const run = this.options.runs.forServer(server);
    // URL mode is never declared as a capability; a server that sends it anyway gets no answer.
    if (request.mode === 'url' || !run) {
      this.logger.warn(
        { server, mode: request.mode ?? 'form' },
        'elicitation cancelled: no run to ask in, or an undeclared mode',
      );
      return Promise.resolve(NO_ANSWER);
    }
    return this.route(run, request, server, signal);
  };

  /** Asks at a terminal too, until the returned handle is disposed. */
  usePrompt(prompt: ElicitationPrompt): Disposable {
    const previous = this.prompt;
    this.prompt = prompt;
    return {
      [Symbol.dispose]: () => {
        this.prompt = previous;
      },
    };
  }

  private async route(
    run: ActiveRun,
    request: ElicitRequestFormParams,
    server: string,
    signal: AbortSignal,
  ): Promise<ElicitResult> {
    const { approvals } = this.options;
    const call = run.callOn(server);
    const tool = call?.tool ?? 'elicitation';
    const args = { message: request.message, requestedSchema: request.requestedSchema };
    const row = await approvals.create({
      runId: run.runId,
      sessionId: run.sessionId,
      step: run.step,
      // Unique per question: one tool call may ask several, and its own approval (if any) is keyed by its id.
      toolCallId: `elicitation-${randomUUID()}`,
      kind: 'elicitation',
      server,
      tool,
      args,
      reason: request.message,
      risk: 'medium',
      because: `${server} asks`,
      expiresAt: new Date(Date.now() + this.timeoutMs),
    });
    const toolCallId = call?.toolCallId ?? row.tool_call_id;
    const base = { runId: run.runId, step: run.step, toolCallId, approvalId: row.id } as const;
    run.emit({
      ...base,
      type: 'approval-request',
      at: Date.now(),
      kind: 'elicitation',
      server,
      tool,
      args,
      reason: request.message,
      risk: 'medium',
      because: row.because,
      expiresAt: row.expires_at,
    });

    const question: ElicitationQuestion = {
      approvalId: row.id,
      server,
      tool: call?.tool,
      message: request.message,
      schema: request.requestedSchema,
      expiresAt: row.expires_at,
    };
    const settled = await this.settle(row, question, [signal, ...(run.signal ? [run.signal] : [])]);
    const { result, problem } = settled;
    const decision = settled.row.status === 'pending' ? 'expired' : settled.row.status;
    const note = problem ?? settled.row.note ?? undefined;
    run.emit({
      ...base,
      type: 'approval-response',
      at: Date.now(),
      decision,
      by: settled.row.resolved_by ?? 'deckhand',
      ...(note ? { note } : {}),
    });
    await approvals.recordAutomatic({
      runId: run.runId,
      actor: 'deckhand',
      action: 'elicitation-result',
      subject: row.id,
      details: {
        server,
        tool,
        action: result.action,
        ...(result.content ? { content: result.content } : {}),
        ...(problem ? { problem } : {}),
      },
    });
    if (problem)
      this.logger.warn({ server, approvalId: row.id, problem }, 'elicitation answer did not fit the form; cancelled');
    return result;
  }

  /** Waits for the first decision: at the terminal or in the store; lapses on timeout or cancellation. */
  private async settle(
    row: ApprovalRow,
    question: ElicitationQuestion,
    signals: readonly AbortSignal[],
  ): Promise<Settled> {
    const done = new AbortController();
    const stop = AbortSignal.any([done.signal, AbortSignal.timeout(this.timeoutMs), ...signals]);
    // Once the person here has answered, their own write must not reach the server through the poll instead.
    let answeredHere = false;
    const waiters = [this.poll(row, question.schema, stop, () => answeredHere)];
    if (this.prompt) {
      const answered = () => {
        answeredHere = true;
      };
      waiters.push(this.ask(this.prompt, row, question, stop, answered));
    }
    try {
      return await Promise.race(waiters);
    } catch (error) {
      if (!stop.aborted) throw error;
      // Timed out, or the server or the run cancelled: the question lapses, unless a decision landed just now.
      await this.options.approvals.expire(row);
      return this.fromRow((await this.options.approvals.get(row.id)) ?? row, question.schema);
    } finally {
      done.abort();
    }
  }

  private async poll(
    row: ApprovalRow,
    schema: ElicitationSchema,
    stop: AbortSignal,
    answeredHere: () => boolean,
  ): Promise<Settled> {
    for (const open of this.openers) open();
    const wakers = this.wakers.get(row.id) ?? new Set<() => void>();
    this.wakers.set(row.id, wakers);
    let woken: PromiseWithResolvers<void> = Promise.withResolvers<void>();
    const wake = () => woken.resolve();
    wakers.add(wake);
    try {
      for (;;) {
        // Armed before the read: an announcement arriving during it still cuts the next wait short.
        woken = Promise.withResolvers<void>();
        const current = await this.options.approvals.get(row.id);
        if (current && current.status !== 'pending' && !answeredHere()) return this.fromRow(current, schema);
        const interval = this.announcers > 0 ? this.backstopPollIntervalMs : this.pollIntervalMs;
        // The poll's timer is cleared when a wake comes first (the race handles the delay's rejection then).
        const waited = new AbortController();
        await Promise.race([delay(interval, AbortSignal.any([stop, waited.signal])), woken.promise]).finally(() => waited.abort());
      }
    } finally {
      wakers.delete(wake);
      if (wakers.size === 0 && this.wakers.get(row.id) === wakers) this.wakers.delete(row.id);
    }
  }

  private async ask(
    prompt: ElicitationPrompt,
    row: ApprovalRow,
    question: ElicitationQuestion,
    stop: AbortSignal,
    answered: () => void,
  ): Promise<Settled> {
    // Let the approval-request event reach the screen before the prompt writes under it.
    await new Promise((resolve) => setImmediate(resolve));
    let answer: ElicitationAnswer;
    try {
      answer = await prompt(question, stop);
    } catch (error) {
      if (stop.aborted) throw error;
      this.logger.warn(
        { approvalId: row.id, error: String(error) },
        'elicitation prompt failed; waiting for a decision from elsewhere',
      );
      return new Promise((_, reject) => stop.addEventListener('abort', () => reject(stop.reason), { once: true }));
    }
    answered();
    const resolved = await this.options.approvals.resolve(
      row.id,
      answer.action === 'accept'
        ? { decision: 'approve', by: answer.by, editedArgs: answer.content }
        : { decision: 'deny', by: answer.by, ...(answer.action === 'cancel' ? { note: 'cancelled' } : {}) },
    );
    // Someone else decided first, or it lapsed meanwhile: what the store holds stands.
    if (!resolved.ok) return this.fromRow(resolved.approval ?? row, question.schema);
    return answer.action === 'cancel'
      ? { result: NO_ANSWER, row: resolved.approval }
      : this.fromRow(resolved.approval, question.schema);
  }

  /** What a settled row tells the server. Content that does not fit the form is not passed on (`cancel`). */
  private fromRow(row: ApprovalRow, schema: ElicitationSchema): Settled {
    if (row.status === 'denied') return { result: { action: 'decline' }, row };
    if (row.status !== 'approved' && row.status !== 'answered') return { result: NO_ANSWER, row };
    const check =
      row.status === 'answered'
        ? parseAnswer(schema, row.note ?? '')
        : checkContent(schema, row.edited_args ? storedArgs(row, 'edited_args', row.edited_args) : {});
    if (!check.success) return { result: NO_ANSWER, row, problem: `the answer did not fit the form: ${check.error}` };
    return { result: { action: 'accept', content: check.content }, row };
  }
}
