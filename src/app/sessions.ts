/**
 * @module The session operations every front end shares: list sessions, show one with its runs, totals and
 * approvals, read its transcript and its stored events.
 */
import type { ModelMessage } from '../models/types.js';
import type { Store } from '../store/database.js';
import { RunStore, type StoredSessionEvent } from '../store/run-store.js';
import { SessionStore } from '../store/session-store.js';
import { type ApprovalView, listApprovals } from './approvals.js';
import { sessionTotals } from './usage-report.js';

export type { StoredSessionEvent };

/** A session in a list, with how many runs it has. */
export interface SessionListing {
  readonly id: string;
  readonly title: string | null;
  readonly createdAt: string;
  readonly runs: number;
}

/** Sessions, newest first, with their run counts. */
export async function listSessions(store: Store, limit = 50): Promise<SessionListing[]> {
  const rows = await new SessionStore(store.db).list(limit);
  return rows.map((row) => ({ id: row.id, title: row.title, createdAt: row.created_at, runs: row.runs }));
}

/** True when the session exists in the store. */
export async function sessionExists(store: Store, sessionId: string): Promise<boolean> {
  return (await new SessionStore(store.db).get(sessionId)) !== undefined;
}

/** How many messages the session's transcript holds (0 for a new session). */
export function sessionMessageCount(store: Store, sessionId: string): Promise<number> {
  return new SessionStore(store.db).count(sessionId);
}

/** The session's transcript, oldest first. */
export function sessionMessages(store: Store, sessionId: string): Promise<ModelMessage[]> {
  return new SessionStore(store.db).messages(sessionId);
}

/** A session as the API shows it: its runs (each with whether it executes here), totals and approvals. */
export interface SessionView {
  readonly id: string;
  readonly title: string | null;
  readonly createdAt: string;
  readonly totals: Awaited<ReturnType<typeof sessionTotals>>;
  readonly runs: ReadonlyArray<{ id: string; task: string; status: string; startedAt: string; executing: boolean }>;
  readonly approvals: readonly ApprovalView[];
}

/** The session, or undefined when there is none; `isExecuting` says which of its runs execute (here, or anywhere with a scale-out). */
export async function sessionView(store: Store, sessionId: string, isExecuting: (runId: string) => boolean | Promise<boolean> = () => false): Promise<SessionView | undefined> {
  const session = await new SessionStore(store.db).get(sessionId);
  if (!session) return undefined;
  const runs = await new RunStore(store.db).ofSession(sessionId);
  return {
    id: session.id,
    title: session.title,
    createdAt: session.created_at,
    totals: await sessionTotals(store, sessionId),
    runs: await Promise.all(runs.map(async (run) => ({ id: run.id, task: run.task, status: run.status, startedAt: run.startedAt, executing: await isExecuting(run.id) }))),
    approvals: await listApprovals(store, { status: 'all', sessionId }),
  };
}

/** Every stored event of the session's runs, in the order they happened (what a session-level stream replays). */
export function storedSessionEvents(store: Store, sessionId: string): Promise<StoredSessionEvent[]> {
  return new RunStore(store.db).sessionEvents(sessionId);
}
