/**
 * @module One run per session at a time, made impossible to break at the database: a session's claim is one row in
 * `session_claims` (the session, the run holding it, and until when a claim taken at enqueue holds without a lease),
 * taken by one conditional upsert, in the same transaction as the run row (start) or its reopening (resume). Two
 * processes starting runs on one session at the same instant both reach the upsert; the unique key orders them and
 * the second sees the first's claim live, so exactly one run of a session executes, on SQLite and PostgreSQL alike.
 *
 * A claim is live while its run's lease is (the run executes somewhere) or, for a run queued but not taken yet,
 * until `claimed_until`. A dead process's claim lapses with its lease, as its run does.
 */
import { type Kysely, sql } from 'kysely';
import { AppError } from '../shared/errors.js';
import type { Database } from './schema.js';

/** The session has a run executing (or queued and about to): wait for it to end. CLI exit code 4, HTTP 409. */
export class SessionBusyError extends AppError {
  readonly code = 'SESSION_BUSY';
  override readonly exitCode = 4;

  constructor(
    readonly sessionId: string,
    readonly runId: string,
  ) {
    super(`Session ${sessionId} has run ${runId} executing; wait for it to end (follow /api/runs/${runId}/stream).`);
  }
}

/**
 * Claims `sessionId` for `runId`: takes the row when there is none, it is this run's already, or its run's claim
 * has lapsed (past `claimed_until` and no live lease). `holdMs` keeps a claim taken before the run has a lease (at
 * enqueue) live that long; 0 leaves it to the lease. Throws {@link SessionBusyError} naming the run holding it.
 */
export async function claimSession(db: Kysely<Database>, claim: { sessionId: string; runId: string; holdMs?: number; now?: number }): Promise<void> {
  const now = claim.now ?? Date.now();
  const until = now + (claim.holdMs ?? 0);
  const taken = await db
    .insertInto('session_claims')
    .values({ session_id: claim.sessionId, run_id: claim.runId, claimed_until: until })
    .onConflict((conflict) =>
      conflict
        .column('session_id')
        .doUpdateSet({ run_id: claim.runId, claimed_until: until })
        .where((eb) =>
          eb.or([
            eb('session_claims.run_id', '=', claim.runId),
            eb.and([
              eb('session_claims.claimed_until', '<=', now),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom('run_leases')
                    .select(sql`1`.as('live'))
                    .whereRef('run_leases.run_id', '=', 'session_claims.run_id')
                    .where('run_leases.expires_at', '>', now),
                ),
              ),
            ]),
          ]),
        ),
    )
    .returning('run_id')
    .executeTakeFirst();
  if (taken?.run_id === claim.runId) return;
  const holder = await db.selectFrom('session_claims').select('run_id').where('session_id', '=', claim.sessionId).executeTakeFirst();
  throw new SessionBusyError(claim.sessionId, holder?.run_id ?? 'unknown');
}
