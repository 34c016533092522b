import type { Kysely } from 'kysely';
import { RunStore } from './run-store.js';
import type { Database } from './schema.js';

/** What the store says about the calls of a step a run was interrupted in (its process died before the step ended). */
export interface InterruptedCalls {
  /** Calls that started and have no result stored after their last start, by tool call id: the `seq` of that start. */
  readonly inDoubt: ReadonlyMap<string, number>;
  /** Calls whose result was stored before the process died, by tool call id: what the model is to be given. */
  readonly finished: ReadonlyMap<string, { readonly text: string; readonly isError: boolean }>;
}

/**
 * Reads the run's `tool-start`, `tool-result` and `tool-error` events of `step`: a call started and never answered
 * is in doubt (it may or may not have had its effect); a call answered is finished, whatever happened after.
 */
export async function loadInterruptedCalls(db: Kysely<Database>, runId: string, step: number): Promise<InterruptedCalls> {
  const events = await new RunStore(db).eventsOfType(runId, ['tool-start', 'tool-result', 'tool-error']);
  const inDoubt = new Map<string, number>();
  const finished = new Map<string, { text: string; isError: boolean }>();
  for (const { seq, event } of events) {
    if (!('step' in event) || event.step !== step) continue;
    if (event.type === 'tool-start') {
      inDoubt.set(event.toolCallId, seq);
      finished.delete(event.toolCallId);
    } else if (event.type === 'tool-result' || event.type === 'tool-error') {
      inDoubt.delete(event.toolCallId);
      finished.set(event.toolCallId, event.type === 'tool-error' ? { text: event.error, isError: true } : { text: event.output, isError: false });
    }
  }
  return { inDoubt, finished };
}
