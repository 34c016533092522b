import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What the store says about the calls of a step a run was interrupted in (its process died before the step ended). */
export interface InterruptedCalls {
  /** Calls that started and have no result stored after their last start, by tool call id: the `seq` of that start. */
  readonly inDoubt: ReadonlyMap<string, number>;
  /** Calls whose result was stored before the process died, by tool call id: what the model is to be given. */
  readonly finished: ReadonlyMap<string, { readonly text: string; readonly isError: boolean }>;
}

interface CallEvent {
  readonly type: 'tool-start' | 'tool-result' | 'tool-error';
  readonly step: number;
  readonly toolCallId: string;
  readonly output?: string;
  readonly error?: string;
}

/**
 * Reads the run's `tool-start`, `tool-result` and `tool-error` events of `step`: a call started and never answered
 * is in doubt (it may or may not have had its effect); a call answered is finished, whatever happened after.
 */
export async function loadInterruptedCalls(db: Kysely<Database>, runId: string, step: number): Promise<InterruptedCalls> {
  const rows = await db
    .selectFrom('run_events')
    .select(['seq', 'data'])
    .where('run_id', '=', runId)
    .where('type', 'in', ['tool-start', 'tool-result', 'tool-error'])
    .orderBy('seq')
    .execute();
  const inDoubt = new Map<string, number>();
  const finished = new Map<string, { text: string; isError: boolean }>();
  for (const row of rows) {
    const event = JSON.parse(row.data) as CallEvent;
    if (event.step !== step) continue;
    if (event.type === 'tool-start') {
      inDoubt.set(event.toolCallId, Number(row.seq));
      finished.delete(event.toolCallId);
    } else {
      inDoubt.delete(event.toolCallId);
      finished.set(event.toolCallId, event.type === 'tool-error' ? { text: event.error ?? '', isError: true } : { text: event.output ?? '', isError: false });
    }
  }
  return { inDoubt, finished };
}
