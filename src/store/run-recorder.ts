import type { RunEvent, RunSettings, RunTotals } from '../contracts/index.js';
import type { ModelMessage } from '../models/types.js';
import type { Store } from './database.js';
import { appendEvents, finishRun, insertRun, lastSeq, reopenRun, saveTotals } from './run-store.js';

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

  constructor(
    private readonly store: Store,
    private readonly options: RunRecorderOptions,
  ) {
    this.storedMessages = options.storedMessages;
  }

  /** Stores one event (a `run-start` also creates or reopens the run, a `run-end` closes it); resolves once it is stored. */
  async record(event: RunEvent): Promise<void> {
    if (event.type === 'run-start') await this.start(event);
    const numbered = [{ seq: this.seq + 1, event }];
    if (event.type !== 'run-end' && !(event.type === 'usage' && event.model !== undefined)) {
      await appendEvents(this.store.db, numbered);
    } else {
      await this.store.db.transaction().execute(async (trx) => {
        await appendEvents(trx, numbered);
        if (event.type === 'usage') await trx.insertInto('model_calls').values(this.modelCall(event)).execute();
        if (event.type === 'run-end') await finishRun(trx, event);
      });
    }
    this.seq += 1;
  }

  /** Stores the messages added since the last checkpoint and the progress, atomically. */
  async checkpoint(checkpoint: RecorderCheckpoint): Promise<void> {
    const fresh = checkpoint.messages.slice(this.options.preamble + this.storedMessages);
    const runId = checkpoint.runId;
    await this.store.db.transaction().execute(async (trx) => {
      if (fresh.length > 0) {
        const createdAt = new Date().toISOString();
        await trx
          .insertInto('session_messages')
          .values(
            fresh.map((message, index) => ({
              session_id: this.options.sessionId,
              seq: this.storedMessages + index + 1,
              run_id: runId,
              role: message.role,
              message: JSON.stringify(message),
              created_at: createdAt,
            })),
          )
          .execute();
      }
      await saveTotals(trx, runId, checkpoint.totals);
    });
    this.storedMessages += fresh.length;
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
}
