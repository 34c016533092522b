import type { RunEvent, RunSettings, RunTotals } from '../contracts/index.js';
import type { ModelMessage } from '../models/types.js';
import type { Store } from './database.js';
import { isPostgres } from '../shared/database/index.js';
import { insertRun, lastSeq, type ModelCallRow, reopenRun, RunWrites, RunWriter } from './run-store.js';

type UsageEvent = Extract<RunEvent, { type: 'usage' }>;

/** Where a run stands, as the loop's checkpoint hook reports it. */
export interface RecorderCheckpoint {
  readonly runId: string;
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
  /** The settings the run started with, kept so a resume uses them. */
  readonly settings: RunSettings;
}

/**
 * Persists a run as it happens: the `runs` row, the session transcript (each new message), and the events.
 * Each event is written before {@link RunRecorder.record} returns, so whoever shows an event after recording it
 * (the CLI, a WebSocket) never shows one the store does not have, even when the process is killed the next
 * instant. Checkpoints store the transcript and progress in one transaction.
 */
export class RunRecorder {
  private seq = 0;
  private storedMessages: number;
  private readonly writer: RunWriter;
  /** What was recorded and not yet committed. */
  private readonly writes = new RunWrites();
  /** The seq and transcript length the store has. */
  private committed: { seq: number; storedMessages: number };

  constructor(
    private readonly store: Store,
    private readonly options: RunRecorderOptions,
  ) {
    this.storedMessages = options.storedMessages;
    this.committed = { seq: 0, storedMessages: options.storedMessages };
    this.writer = new RunWriter(store.db, store.sqlite, isPostgres(store.db));
  }

  /** Stores one event (a `run-start` also creates or reopens the run, a `run-end` closes it); resolves once it is stored. */
  async record(event: RunEvent): Promise<void> {
    if (event.type === 'run-start') await this.start(event);
    this.stage(event);
    await this.commit();
  }

  /** Stores the messages added since the last checkpoint and the progress, atomically. */
  async checkpoint(checkpoint: RecorderCheckpoint): Promise<void> {
    const fresh = checkpoint.messages.slice(this.options.preamble + this.storedMessages);
    const runId = checkpoint.runId;
    if (fresh.length > 0) {
      const createdAt = new Date().toISOString();
      for (const [index, message] of fresh.entries()) {
        this.writes.messages.push({
          session_id: this.options.sessionId,
          seq: this.storedMessages + index + 1,
          run_id: runId,
          role: message.role,
          // Only the new messages are serialised: the transcript is appended to, never rewritten.
          message: JSON.stringify(message),
          created_at: createdAt,
        });
      }
    }
    this.writes.progress = { runId, totals: checkpoint.totals };
    this.storedMessages += fresh.length;
    await this.commit();
  }

  /** Adds an event to the writes not yet committed, under the next seq. */
  private stage(event: RunEvent): void {
    this.seq += 1;
    this.writes.events.push({ seq: this.seq, event });
    if (event.type === 'usage' && event.model !== undefined) this.writes.modelCalls.push(this.modelCall(event));
    if (event.type === 'run-end') this.writes.progress = { runId: event.runId, totals: event.totals, end: event };
  }

  /**
   * Commits what is staged. On failure nothing of it is stored, and it is dropped with its seqs and messages, so
   * the next write numbers on from what the store has.
   */
  private async commit(): Promise<void> {
    try {
      await this.writer.commit(this.writes);
      this.committed = { seq: this.seq, storedMessages: this.storedMessages };
    } catch (error) {
      ({ seq: this.seq, storedMessages: this.storedMessages } = this.committed);
      throw error;
    } finally {
      this.writes.clear();
    }
  }

  private async start(event: Extract<RunEvent, { type: 'run-start' }>): Promise<void> {
    const { db } = this.store;
    await db
      .insertInto('sessions')
      .values({ id: event.sessionId, title: event.task.slice(0, 200), created_at: new Date(event.at).toISOString() })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    if (event.resumed) {
      this.seq = await lastSeq(db, event.runId);
      this.committed = { ...this.committed, seq: this.seq };
      await reopenRun(db, event.runId);
      return;
    }
    await insertRun(db, {
      id: event.runId,
      sessionId: event.sessionId,
      task: event.task,
      model: event.model,
      startedAt: new Date(event.at).toISOString(),
      settings: this.options.settings,
    });
  }

  /** The `model_calls` row of a usage event. */
  private modelCall(event: UsageEvent): ModelCallRow {
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
}
