import type { RunEvent } from '../agent/events.js';
import type { Store } from './database.js';

/**
 * Persists a run's events as they happen: one `runs` row, and the events written in batches, one
 * transaction per step (and at the end), so a step is either fully recorded or not at all.
 */
export class RunRecorder {
  private pending: RunEvent[] = [];
  private seq = 0;

  constructor(private readonly store: Store) {}

  /** Ensures the session row exists (creating it with `title` when new). */
  async ensureSession(sessionId: string, title: string): Promise<void> {
    await this.store.db
      .insertInto('sessions')
      .values({ id: sessionId, title: title.slice(0, 200), created_at: new Date().toISOString() })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
  }

  /** Records one event; flushes at step and run boundaries. */
  async record(event: RunEvent): Promise<void> {
    if (event.type === 'run-start') {
      await this.ensureSession(event.sessionId, event.task);
      await this.store.db
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
        })
        .execute();
    }
    this.pending.push(event);
    if (event.type === 'step-end' || event.type === 'run-end') await this.flush(event);
  }

  private async flush(boundary: RunEvent): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await this.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('run_events')
        .values(batch.map((event) => ({ run_id: event.runId, seq: ++this.seq, type: event.type, at: event.at, data: JSON.stringify(event) })))
        .execute();
      if (boundary.type === 'run-end') {
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
  }
}
