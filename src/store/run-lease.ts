/**
 * @module Run ownership: a lease in the store (one row per run in `run_leases`) that a process takes before it
 * executes a run, renews while it does, and gives back when it stops. Taken with one conditional upsert, so two
 * processes (or two `deckhand serve` replicas on one PostgreSQL) can never both hold it; a holder that stops
 * renewing (killed, frozen, disconnected) loses it when it expires, and the next taker wins.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { delay } from '../shared/abort.js';
import { AppError } from '../shared/errors.js';
import { RunStore } from './run-store.js';
import type { Database } from './schema.js';

/** How long a lease lasts without a heartbeat. */
export const DEFAULT_RUN_LEASE_TTL_MS = 30_000;
/**
 * How long taking a lease waits for a holder that has recorded the run's end to give the lease back (it does so a
 * few milliseconds later, once the run-end has been handed on).
 */
export const ENDED_HOLDER_WAIT_MS = 2_000;
/** How often the lease row is looked at meanwhile. */
const ENDED_HOLDER_POLL_MS = 10;

/** Who holds (or wants) a lease. `ownerId` is unique per acquisition, so even one process cannot take it twice. */
export interface LeaseOwner {
  readonly ownerId: string;
  readonly pid: number;
  readonly host: string;
}

/** A lease as stored. Times are milliseconds since the epoch. */
export interface LeaseHolder extends LeaseOwner {
  readonly runId: string;
  readonly startedAt: number;
  readonly heartbeatAt: number;
  readonly expiresAt: number;
}

export interface RunLeasesOptions {
  /** How long a lease lasts without a heartbeat. Default 30 s. */
  readonly ttlMs?: number;
  /** How often a held lease is renewed. Default a third of `ttlMs`. */
  readonly heartbeatMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/** Whether the holder's process ran on this host and no longer exists. */
function isGoneLocally(holder: LeaseHolder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but is someone else's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** This process, as a new lease owner. */
export function currentOwner(): LeaseOwner {
  return { ownerId: randomUUID(), pid: process.pid, host: hostname() };
}

/** Another process executes the run: wait for it, or take over once its lease expires. CLI exit code 4, HTTP 409. */
export class RunLeaseHeldError extends AppError {
  readonly code = 'RUN_EXECUTING';
  override readonly exitCode = 4;

  constructor(readonly holder: LeaseHolder) {
    super(
      `Run ${holder.runId} is being executed by process ${holder.pid} on host ${holder.host}; started ${new Date(holder.startedAt).toISOString()}. ` +
        `Wait for it to end; if that process is gone, its lease expires at ${new Date(holder.expiresAt).toISOString()} and the run can be resumed then.`,
    );
  }
}

/**
 * Takes, renews and releases run leases. One instance per store is enough; it keeps no state of its own, so any
 * number of processes (and a future job queue's workers) share the same rows.
 */
export class RunLeases {
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: RunLeasesOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_RUN_LEASE_TTL_MS;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(this.ttlMs / 3));
    this.now = options.now ?? Date.now;
  }

  /**
   * Takes the run's lease for `owner`: a new row, or the row of a holder whose lease has expired, in one statement.
   * Throws {@link RunLeaseHeldError} naming the holder while another owner's lease is live.
   */
  async tryAcquire(runId: string, owner: LeaseOwner = currentOwner()): Promise<LeaseHolder> {
    // A few rounds only for the race where the holder releases between our upsert and our read of its row.
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      const values = { run_id: runId, owner_id: owner.ownerId, pid: owner.pid, host: owner.host, started_at: now, heartbeat_at: now, expires_at: now + this.ttlMs };
      const taken = await this.db
        .insertInto('run_leases')
        .values(values)
        .onConflict((conflict) =>
          conflict
            .column('run_id')
            .doUpdateSet({ owner_id: values.owner_id, pid: values.pid, host: values.host, started_at: now, heartbeat_at: now, expires_at: values.expires_at })
            .where('run_leases.expires_at', '<', now),
        )
        .returning('owner_id')
        .executeTakeFirst();
      if (taken?.owner_id === owner.ownerId) return { runId, ...owner, startedAt: now, heartbeatAt: now, expiresAt: values.expires_at };
      const holder = await this.holder(runId);
      if (holder && isGoneLocally(holder)) {
        // Its owner was on this host and has died (kill -9, a crash): no need to wait for the lease to run out.
        if (await this.takeOver(holder, owner, now)) return { runId, ...owner, startedAt: now, heartbeatAt: now, expiresAt: values.expires_at };
        continue;
      }
      if (holder && (await this.hasEnded(holder))) {
        // The holder recorded the run's end and is about to give the lease back: wait for that rather than refuse.
        // Only ever a wait, never a takeover, so a misjudged end (clocks apart) costs a refusal, not two executors.
        if (await this.released(holder)) continue;
      }
      if (holder) throw new RunLeaseHeldError(holder);
      if (attempt >= 3) throw new Error(`Could not take the lease of run ${runId}: it changed hands while being taken.`);
    }
  }

  /**
   * True when the holder's run has ended since it took the lease (the run-end is stored after the lease was taken,
   * by the holder itself): the holder only has the lease left to give back.
   */
  async hasEnded(holder: LeaseHolder): Promise<boolean> {
    const endedAt = await new RunStore(this.db).endedAt(holder.runId);
    return endedAt !== undefined && endedAt >= holder.startedAt;
  }

  /**
   * The holder of a live lease whose run is executing (its end not yet stored); undefined when nobody executes
   * the run, including while a holder that has recorded the run's end gives its lease back.
   */
  async executor(runId: string): Promise<LeaseHolder | undefined> {
    const holder = await this.holder(runId);
    if (!holder || holder.expiresAt <= this.now()) return undefined;
    return (await this.hasEnded(holder)) ? undefined : holder;
  }

  /** Waits up to {@link ENDED_HOLDER_WAIT_MS} for `holder` to give its lease back; true once it has. */
  private async released(holder: LeaseHolder): Promise<boolean> {
    const deadline = Date.now() + ENDED_HOLDER_WAIT_MS;
    while (Date.now() < deadline) {
      await delay(ENDED_HOLDER_POLL_MS);
      const current = await this.holder(holder.runId);
      if (current?.ownerId !== holder.ownerId) return true;
    }
    return false;
  }

  /** Takes the lease from `holder` only if it still holds it: one conditional update. */
  private async takeOver(holder: LeaseHolder, owner: LeaseOwner, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('run_leases')
      .set({ owner_id: owner.ownerId, pid: owner.pid, host: owner.host, started_at: now, heartbeat_at: now, expires_at: now + this.ttlMs })
      .where('run_id', '=', holder.runId)
      .where('owner_id', '=', holder.ownerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Renews a held lease; false when it is no longer this owner's (it expired and another took it). */
  async renew(runId: string, ownerId: string): Promise<boolean> {
    const now = this.now();
    const result = await this.db
      .updateTable('run_leases')
      .set({ heartbeat_at: now, expires_at: now + this.ttlMs })
      .where('run_id', '=', runId)
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the lease back; a no-op when it is no longer this owner's. */
  async release(runId: string, ownerId: string): Promise<void> {
    await this.db.deleteFrom('run_leases').where('run_id', '=', runId).where('owner_id', '=', ownerId).execute();
  }

  /** The current holder of the run's lease, live or expired; undefined when nobody holds it. */
  async holder(runId: string): Promise<LeaseHolder | undefined> {
    const row = await this.db.selectFrom('run_leases').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (!row) return undefined;
    return {
      runId: row.run_id,
      ownerId: row.owner_id,
      pid: Number(row.pid),
      host: row.host,
      startedAt: Number(row.started_at),
      heartbeatAt: Number(row.heartbeat_at),
      expiresAt: Number(row.expires_at),
    };
  }

  /**
   * Takes the lease and keeps it renewed until the returned handle is disposed (which releases it). The handle's
   * `signal` aborts when the lease is lost: a renewal found another owner, or none succeeded before it expired.
   */
  async hold(runId: string, owner: LeaseOwner = currentOwner()): Promise<HeldLease> {
    const holder = await this.tryAcquire(runId, owner);
    return new HeldLease(this, holder);
  }
}

/** A lease this process holds, renewed in the background until released. */
export class HeldLease implements AsyncDisposable {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | undefined;
  private expiresAt: number;
  private released = false;

  constructor(
    private readonly leases: RunLeases,
    readonly holder: LeaseHolder,
  ) {
    this.expiresAt = holder.expiresAt;
    this.timer = setInterval(() => {
      this.renewing ??= this.renew().finally(() => {
        this.renewing = undefined;
      });
    }, leases.heartbeatMs);
    // The lease never keeps the process alive by itself.
    this.timer.unref();
  }

  /** Aborts when the lease is lost; whoever executes the run should stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    try {
      if (await this.leases.renew(this.holder.runId, this.holder.ownerId)) {
        this.expiresAt = Date.now() + this.leases.ttlMs;
        return;
      }
      this.lose('another process took over its lease');
    } catch {
      // A busy or briefly unreachable store: try again at the next beat, unless the lease has run out meanwhile.
      if (Date.now() >= this.expiresAt) this.lose('its lease could not be renewed before it expired');
    }
  }

  private lose(why: string): void {
    clearInterval(this.timer);
    this.controller.abort(new Error(`Run ${this.holder.runId} stopped here: ${why}.`));
  }

  /** Stops renewing and gives the lease back. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    await this.renewing;
    await this.leases.release(this.holder.runId, this.holder.ownerId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}
