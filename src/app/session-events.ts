/**
 * @module A session's stored run events in the order they happened, across all of its runs (a paused run resumed
 * after a later one started puts its new events after that run's): what a session-level stream replays.
 */
import type { RunEvent } from '../agent/events.js';
import type { Store } from '../store/database.js';

/** One stored event of a session, with the run-level sequence number it was stored under. */
export interface StoredSessionEvent {
  readonly runId: string;
  readonly seq: number;
  readonly event: RunEvent;
}

/**
 * Every stored event of the session's runs, in insertion order (the store's auto-increment id, which only grows, and
 * one run executes per session at a time, so insertion order is the order they happened).
 */
export async function storedSessionEvents(store: Store, sessionId: string): Promise<StoredSessionEvent[]> {
  const rows = await store.db
    .selectFrom('run_events')
    .innerJoin('runs', 'runs.id', 'run_events.run_id')
    .select(['run_events.run_id as runId', 'run_events.seq as seq', 'run_events.data as data'])
    .where('runs.session_id', '=', sessionId)
    .orderBy('run_events.id')
    .execute();
  return rows.map((row) => ({ runId: row.runId, seq: Number(row.seq), event: JSON.parse(row.data) as RunEvent }));
}

/** True when the session exists in the store. */
export async function sessionExists(store: Store, sessionId: string): Promise<boolean> {
  const row = await store.db.selectFrom('sessions').select('id').where('id', '=', sessionId).executeTakeFirst();
  return row !== undefined;
}
