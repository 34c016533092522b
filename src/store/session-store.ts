import type { Kysely } from 'kysely';
import { ModelMessageSchema } from '../contracts/index.js';
import type { ModelMessage } from '../models/types.js';
import { StoredDataError } from '../shared/errors.js';
import type { Database } from './schema.js';

/**
 * A session's transcript in the store, append-only: every message the loop adds is written as it happens, so
 * `deckhand chat --session ID`, the API and a resumed run continue with the full context after a restart.
 */
export class SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates the session when it is new. */
  async ensure(sessionId: string, title: string): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: sessionId, title: title.slice(0, 200), created_at: new Date().toISOString() })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
  }

  /** The session's row, or undefined when there is none. */
  get(sessionId: string): Promise<{ id: string; title: string | null; created_at: string } | undefined> {
    return this.db.selectFrom('sessions').select(['id', 'title', 'created_at']).where('id', '=', sessionId).executeTakeFirst();
  }

  /**
   * The transcript, oldest first, each message parsed with its schema. Throws `StoredDataError` naming the session
   * and the message when a row is not JSON or not a message.
   */
  async messages(sessionId: string): Promise<ModelMessage[]> {
    const rows = await this.db.selectFrom('session_messages').select(['seq', 'run_id', 'message']).where('session_id', '=', sessionId).orderBy('seq').execute();
    return rows.map((row) => parseMessage(sessionId, row));
  }

  /** Whether any message of the run is stored (its task is stored with its first model turn). */
  async hasRunMessages(runId: string): Promise<boolean> {
    const row = await this.db.selectFrom('session_messages').select('seq').where('run_id', '=', runId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async count(sessionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('session_messages')
      .select(({ fn }) => fn.max<number>('seq').as('last'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(row?.last ?? 0);
  }

  /** Appends `messages` as seq `from + 1 …`; a repeated append of the same seq is ignored. */
  async append(sessionId: string, runId: string | null, from: number, messages: readonly ModelMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const createdAt = new Date().toISOString();
    await this.db
      .insertInto('session_messages')
      .values(
        messages.map((message, index) => ({
          session_id: sessionId,
          seq: from + index + 1,
          run_id: runId,
          role: message.role,
          message: JSON.stringify(message),
          created_at: createdAt,
        })),
      )
      .onConflict((conflict) => conflict.columns(['session_id', 'seq']).doNothing())
      .execute();
  }

  async summary(sessionId: string): Promise<{ summary: string | null; through: number }> {
    const row = await this.db.selectFrom('sessions').select(['summary', 'summarized_through']).where('id', '=', sessionId).executeTakeFirst();
    return { summary: row?.summary ?? null, through: Number(row?.summarized_through ?? 0) };
  }

  async saveSummary(sessionId: string, summary: string, through: number): Promise<void> {
    await this.db.updateTable('sessions').set({ summary, summarized_through: through }).where('id', '=', sessionId).execute();
  }

  /** Sessions, newest first, with how many runs and messages each has. */
  async list(limit = 50): Promise<Array<{ id: string; title: string | null; created_at: string; runs: number }>> {
    const rows = await this.db
      .selectFrom('sessions')
      .leftJoin('runs', 'runs.session_id', 'sessions.id')
      .select(({ fn }) => ['sessions.id', 'sessions.title', 'sessions.created_at', fn.count<number>('runs.id').as('runs')])
      .groupBy(['sessions.id', 'sessions.title', 'sessions.created_at'])
      .orderBy('sessions.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...row, runs: Number(row.runs) }));
  }
}

/** A stored transcript message, parsed. */
function parseMessage(sessionId: string, row: { seq: number; run_id: string | null; message: string }): ModelMessage {
  const what = `message ${Number(row.seq)}${row.run_id ? ` (run ${row.run_id})` : ''}`;
  let data: unknown;
  try {
    data = JSON.parse(row.message);
  } catch (error) {
    throw new StoredDataError(row.run_id ?? '', what, `not JSON (${(error as Error).message})`, sessionId);
  }
  const parsed = ModelMessageSchema.safeParse(data);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'message'}: ${issue.message}`).join('; ');
    throw new StoredDataError(row.run_id ?? '', what, problem, sessionId);
  }
  return parsed.data;
}
