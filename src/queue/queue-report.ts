/**
 * @module What `deckhand doctor` says about the queue on PostgreSQL: jobs waiting, running and failed, the
 * processes registered to take them (pg-boss's instance registry) and the runs executing now (live leases).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { RunQueue } from './run-queue.js';

/** The queue and its workers, in one line each, for people. */
export interface QueueReport {
  readonly queue: string;
  readonly workers: string;
}

/**
 * Reads the queue without changing it (no migration, not registered, no maintenance). A database no serve or
 * worker has used yet has no queue: that is reported, not thrown. Throws when PostgreSQL cannot be reached.
 */
export async function queueReport(databaseUrl: string, db: Kysely<Database>): Promise<QueueReport> {
  let queue: RunQueue;
  try {
    queue = await RunQueue.open({ databaseUrl, role: 'doctor', migrate: false, supervise: false, register: false });
  } catch (error) {
    if (/not installed|does not exist|schema/i.test(String(error))) {
      return { queue: 'not created yet: the first `deckhand serve` or `deckhand worker` on this database creates it', workers: 'none registered' };
    }
    throw error;
  }
  try {
    const counts = await queue.counts();
    const instances = await queue.instances();
    const now = Date.now();
    const leases = await db.selectFrom('run_leases').select(['host', 'pid']).where('expires_at', '>', now).execute();
    // The registry's worker list is filled in at each instance heartbeat (every 30 s), so a process just started shows none yet.
    const takers = instances;
    const listed = takers.map((instance) => `${instance.name ?? `${instance.host}:${instance.pid}`}${instance.workers > 0 ? ` (${instance.workers} at once)` : ''}`).join(', ');
    return {
      queue: `${counts.waiting} waiting, ${counts.running} running, ${counts.failed} failed`,
      workers: `${takers.length} process${takers.length === 1 ? '' : 'es'} registered${listed ? `: ${listed}` : ''}; ${leases.length} run${leases.length === 1 ? '' : 's'} executing now`,
    };
  } finally {
    await queue.close();
  }
}
