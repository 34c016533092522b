import type { RunEvent } from '../agent/events.js';
import type { ModelMessage } from '../models/types.js';
import type { Store } from './database.js';
import type { RunTotals } from '../agent/events.js';

type UsageEvent = Extract<RunEvent, { type: 'usage' }>;

/** Where a run stands, as the loop's checkpoint hook reports it. */
export interface RecorderCheckpoint {
  readonly messages: readonly ModelMessage[];
  readonly step: number;
  readonly totals: RunTotals;
}

export interface RunRecorderOptions {
  readonly sessionId: string;
  /** Messages at the front of the loop's array that are not part of the session (the system prompt). */
  readonly preamble: number;
  /** How many session messages are already stored. */
  readonly storedMessages: number;
  /** The options the run started with, kept so a resume uses them (JSON). */
  readonly runOptions: Record<string, unknown>;
}

/**
 * Persists a run as it happens: the `runs` row, the session transcript (each new message), and the events,
 * written in one transaction per checkpoint and per step, so a step is either fully recorded or not at all.
 */
export class RunRecorder {
  private pending: RunEvent[] = [];
  private seq = 0;
  private storedMessages: number;
  /** Set once the loop checkpoints: its checkpoints then carry the events, and step ends need no write of their own. */
  private checkpointing = false;

  constructor(
    private readonly store: Store,
    private readonly options: RunRecorderOptions,
  ) {
    this.storedMessages = options.storedMessages;
  }

  /**
   * Records one event. Events are written with the next checkpoint (the loop checkpoints before a step's side
   * effects and after its end) or at the end of the run, so a step costs two transactions, not one per event.
   * Without checkpoints (a plain event consumer), each step is written when it ends.
   */
  async record(event: RunEvent): Promise<void> {
    if (event.type === 'run-start') await this.start(event);
    this.pending.push(event);
    if (event.type === 'run-end' || (event.type === 'step-end' && !this.checkpointing)) await this.flush(undefined, event);
  }

  /** Stores the messages added since the last checkpoint, the progress, and the events so far, atomically. */
  async checkpoint(checkpoint: RecorderCheckpoint): Promise<void> {
    this.checkpointing = true;
    await this.flush(checkpoint);
  }

  private async start(event: Extract<RunEvent, { type: 'run-start' }>): Promise<void> {
    const { db } = this.store;
    await db
      .insertInto('sessions')
      .values({ id: event.sessionId, title: event.task.slice(0, 200), created_at: new Date(event.at).toISOString() })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    if (event.resumed) {
      const last = await db
        .selectFrom('run_events')
        .select(({ fn }) => fn.max<number>('seq').as('last'))
        .where('run_id', '=', event.runId)
        .executeTakeFirst();
      this.seq = Number(last?.last ?? 0);
      await db.updateTable('runs').set({ status: 'running', ended_at: null, error: null }).where('id', '=', event.runId).execute();
      return;
    }
    await db
      .insertInto('runs')
      .values({
        id: event.runId,
        session_id: event.sessionId,
        task: event.task,
        model: event.model,
        status: 'running',
        started_at: new Date(event.at).toISOString(),
        ended_at: null,
        final_text: null,
        error: null,
        options: JSON.stringify(this.options.runOptions),
      })
      .execute();
  }

  /** The `model_calls` row of a usage event. */
  private modelCall(event: UsageEvent) {
    const at = new Date(event.at).toISOString();
    return {
      run_id: event.runId,
      session_id: this.options.sessionId,
      step: event.step,
      kind: event.kind ?? 'step',
      model: event.model ?? 'unknown',
      input_tokens: event.usage.inputTokens,
      cached_input_tokens: event.usage.cachedInputTokens ?? 0,
      output_tokens: event.usage.outputTokens,
      reasoning_tokens: event.usage.reasoningTokens ?? 0,
      cost_usd: event.costUsd,
      duration_ms: event.durationMs === undefined ? null : Math.round(event.durationMs),
      at,
      day: at.slice(0, 10),
    };
  }

  private async flush(checkpoint: RecorderCheckpoint | undefined, boundary?: RunEvent): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const runId = batch[0]?.runId ?? boundary?.runId;
    const fresh = checkpoint ? checkpoint.messages.slice(this.options.preamble + this.storedMessages) : [];
    await this.store.db.transaction().execute(async (trx) => {
      if (batch.length > 0) {
        await trx
          .insertInto('run_events')
          .values(batch.map((event) => ({ run_id: event.runId, seq: ++this.seq, type: event.type, at: event.at, data: JSON.stringify(event) })))
          .execute();
        const calls = batch.filter((event): event is UsageEvent => event.type === 'usage' && event.model !== undefined);
        if (calls.length > 0) await trx.insertInto('model_calls').values(calls.map((event) => this.modelCall(event))).execute();
      }
      if (fresh.length > 0) {
        const createdAt = new Date().toISOString();
        await trx
          .insertInto('session_messages')
          .values(
            fresh.map((message, index) => ({
              session_id: this.options.sessionId,
              seq: this.storedMessages + index + 1,
              run_id: runId ?? null,
              role: message.role,
              message: JSON.stringify(message),
              created_at: createdAt,
            })),
          )
          .execute();
      }
      if (checkpoint && runId) {
        await trx
          .updateTable('runs')
          .set({
            steps: checkpoint.totals.steps,
            tool_calls: checkpoint.totals.toolCalls,
            input_tokens: checkpoint.totals.inputTokens,
            output_tokens: checkpoint.totals.outputTokens,
            cost_usd: checkpoint.totals.costUsd,
          })
          .where('id', '=', runId)
          .execute();
      }
      if (boundary?.type === 'run-end') {
        await trx
          .updateTable('runs')
          .set({
            status: boundary.outcome,
            ended_at: new Date(boundary.at).toISOString(),
            steps: boundary.totals.steps,
            tool_calls: boundary.totals.toolCalls,
            input_tokens: boundary.totals.inputTokens,
            output_tokens: boundary.totals.outputTokens,
            cost_usd: boundary.totals.costUsd,
            final_text: boundary.text,
            error: boundary.error ?? null,
          })
          .where('id', '=', boundary.runId)
          .execute();
      }
    });
    this.storedMessages += fresh.length;
  }
}
