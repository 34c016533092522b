/**
 * @module The durable run queue on PostgreSQL: a thin client over pg-boss (jobs taken with `SKIP LOCKED`, so a
 * job goes to exactly one worker; woken by LISTEN/NOTIFY, polled as a backstop). One queue, `deckhand-runs`,
 * in a schema of its own (`deckhand_queue`) beside the host's tables.
 */
import { hostname } from 'node:os';
import { PgBoss } from 'pg-boss';
import { errorMessage } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { type RunJob, safeParseRunJob } from './run-job.js';

/** The pg-boss queue every run job goes through. */
export const RUN_QUEUE = 'deckhand-runs';
/** The PostgreSQL schema pg-boss keeps its tables in. */
export const QUEUE_SCHEMA = 'deckhand_queue';
/**
 * How long a job may stay active before pg-boss retries it. A run that takes longer is not harmed: the retry
 * finds the run leased (or ended) and does nothing. Interrupted runs are recovered by the sweeper, not by this.
 */
export const RUN_JOB_EXPIRE_SECONDS = 3_600;
/**
 * Every job's heartbeat (pg-boss's least): the process handling it refreshes it every half of this, and a job
 * whose heartbeat stops (its taker was killed before the run had a lease for the sweeper to see) is failed and
 * retried by the next monitor pass, instead of staying active for its hour of expiry.
 */
export const RUN_JOB_HEARTBEAT_SECONDS = 10;
/** How often the supervising processes (serve, worker) look for jobs whose heartbeat stopped. */
const MONITOR_INTERVAL_SECONDS = 10;
/** How often an idle worker looks for jobs when no notification woke it (pg-boss's notify backstop is 30 s). */
const POLLING_INTERVAL_SECONDS = 2;

/** How many jobs are where, as `deckhand doctor` reports them. */
export interface QueueCounts {
  readonly waiting: number;
  readonly running: number;
  readonly failed: number;
}

/** A pg-boss instance registered on the database: a `deckhand serve` or `deckhand worker` process. */
export interface QueueInstance {
  readonly name: string | null;
  readonly host: string;
  readonly pid: number;
  readonly workers: number;
}

/** What a {@link RunQueue} opens with. */
export interface RunQueueOptions {
  readonly databaseUrl: string;
  /** Shown in pg-boss's instance registry (and `deckhand doctor`): `serve`, `worker`, `cli`. */
  readonly role: string;
  readonly logger?: Logger;
  /** Runs pg-boss's maintenance (expiry, retention) in this process. Default true; false for short-lived clients. */
  readonly supervise?: boolean;
  /** Creates or upgrades pg-boss's tables. Default true. */
  readonly migrate?: boolean;
  /** Records this process in pg-boss's instance registry. Default true. */
  readonly register?: boolean;
  /** How often an idle worker looks for jobs when no NOTIFY woke it, in seconds (at least 0.5). Default 2. */
  readonly pollIntervalSeconds?: number;
}

/** How a job is added. */
export interface EnqueueOptions {
  /** Seconds before any worker may take the job (a retry that waits for a busy session). Default 0: at once. */
  readonly startAfterSeconds?: number;
}

/** Handles one job; resolving completes it, throwing fails it (pg-boss retries it). */
export type RunJobHandler = (job: RunJob, jobId: string) => Promise<void>;

/**
 * Enqueues run jobs and hands them to a handler, at most `concurrency` at a time in this process. Implements
 * `Symbol.asyncDispose` (stops taking jobs, then closes the connection).
 */
export class RunQueue implements AsyncDisposable {
  /** The pg-boss worker of each slot, while taking jobs. */
  private workerIds: string[] | undefined;

  private constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
    private readonly pollIntervalSeconds: number,
  ) {}

  /** Connects, installs or upgrades pg-boss's schema (under an advisory lock, so replicas may start at once) and creates the queue. */
  static async open(options: RunQueueOptions): Promise<RunQueue> {
    const logger = options.logger ?? noopLogger;
    const boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: QUEUE_SCHEMA,
      application_name: `deckhand ${options.role}`,
      instanceName: `deckhand ${options.role} ${hostname()}:${process.pid}`,
      registerInstance: options.register ?? true,
      max: 4,
      supervise: options.supervise ?? true,
      // A pass needs both timers: a dead taker's job is retried within a heartbeat and a pass (about 20 s).
      monitorIntervalSeconds: MONITOR_INTERVAL_SECONDS,
      superviseIntervalSeconds: MONITOR_INTERVAL_SECONDS,
      migrate: options.migrate ?? true,
      schedule: false,
      useListenNotify: true,
    });
    boss.on('error', (error: unknown) => logger.warn({ error: errorMessage(error) }, 'queue error'));
    await boss.start();
    if (options.migrate !== false) {
      await boss.createQueue(RUN_QUEUE, { notify: true, expireInSeconds: RUN_JOB_EXPIRE_SECONDS, retryLimit: 3, retryDelay: 1 });
    }
    return new RunQueue(boss, logger, options.pollIntervalSeconds ?? POLLING_INTERVAL_SECONDS);
  }

  /**
   * Adds a job; resolves with its id once it is stored (any worker may take it from then on, or once
   * `startAfterSeconds` have passed, counted on the database's clock so hosts' clocks need not agree).
   */
  async enqueue(job: RunJob, options: EnqueueOptions = {}): Promise<string> {
    // On the job, not only the queue: a queue created by an earlier version has no heartbeat of its own.
    const id = await this.boss.send(RUN_QUEUE, job, {
      heartbeatSeconds: RUN_JOB_HEARTBEAT_SECONDS,
      ...(options.startAfterSeconds !== undefined && options.startAfterSeconds > 0 ? { startAfter: options.startAfterSeconds } : {}),
    });
    if (id === null) throw new Error(`The queue refused the ${job.kind} job of run ${job.runId}.`);
    return id;
  }

  /**
   * Takes jobs, up to `concurrency` at once in this process, until {@link stopWorking}. A job whose data does not
   * parse is failed with the reason (and not retried into the same failure: it goes to `failed` after its retries).
   *
   * Each slot is a pg-boss worker of its own (`localConcurrency` 1), so the slot that finishes a job can be told to
   * fetch again at once ({@link PgBoss.notifyWorker}): pg-boss otherwise sleeps its polling interval after every
   * job unless its cached ready count (refreshed by the monitor, up to a minute late) says more are waiting, which
   * held one worker to a job every 2 s however long the backlog. Only a fetch that comes back empty waits, for a
   * NOTIFY of a new job or the poll.
   */
  async work(options: { concurrency: number; handler: RunJobHandler }): Promise<void> {
    if (this.workerIds !== undefined) throw new Error('This queue is already taking jobs.');
    const ids: string[] = [];
    this.workerIds = ids;
    for (let slot = 0; slot < options.concurrency; slot++) {
      // Known once work() answers; the slot's first job cannot end before then (its fetch is a round trip).
      const slot: { id?: string } = {};
      slot.id = await this.boss.work<unknown>(
        RUN_QUEUE,
        {
          localConcurrency: 1,
          batchSize: 1,
          pollingIntervalSeconds: this.pollIntervalSeconds,
          notifyPollingIntervalSeconds: this.pollIntervalSeconds,
        },
        async ([job]) => {
          try {
            if (!job) return;
            const parsed = safeParseRunJob(job.data);
            if (!parsed.success) {
              this.logger.error({ jobId: job.id, error: parsed.error }, 'run job does not parse');
              throw new Error(`Not a run job: ${parsed.error}`);
            }
            await options.handler(parsed.job, job.id);
          } finally {
            // Straight on to the next job, if there is one, instead of sleeping the poll.
            if (slot.id !== undefined && this.workerIds === ids) this.boss.notifyWorker(slot.id);
          }
        },
      );
      ids.push(slot.id);
    }
  }

  /** Stops taking new jobs; the ones being handled go on (their handlers decide when they end). */
  async stopWorking(): Promise<void> {
    const ids = this.workerIds;
    if (ids === undefined) return;
    this.workerIds = undefined;
    for (const id of ids) await this.boss.offWork(RUN_QUEUE, { id, wait: false });
  }

  /**
   * Completes the jobs of `runId` still marked active: their executor died (its run lease expired), so pg-boss
   * would count them running until they expire. Resolves with how many there were.
   */
  async settleAbandoned(runId: string): Promise<number> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`select id from ${QUEUE_SCHEMA}.job where name = $1 and state = 'active' and data->>'runId' = $2`, [RUN_QUEUE, runId]);
    const ids = (rows as Array<{ id: string }>).map((row) => row.id);
    if (ids.length > 0) await this.boss.complete(RUN_QUEUE, ids, { abandoned: 'its executor stopped renewing the run lease; the run was queued again' });
    return ids.length;
  }

  /**
   * The jobs of `runId` not settled yet: waiting (created or retrying, e.g. a resume a stopping worker queued) and
   * active (being handled, or held by a taker that died until its heartbeat runs out).
   */
  async openJobs(runId: string): Promise<{ waiting: number; active: number }> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `select count(*) filter (where state in ('created', 'retry'))::int as waiting, count(*) filter (where state = 'active')::int as active
         from ${QUEUE_SCHEMA}.job where name = $1 and data->>'runId' = $2`,
        [RUN_QUEUE, runId],
      );
    const row = (rows as Array<{ waiting: number; active: number }>)[0];
    return { waiting: row?.waiting ?? 0, active: row?.active ?? 0 };
  }

  /**
   * Jobs waiting (created or retrying), running (active) and failed (still retained), counted now from the job
   * table (pg-boss's own queue counts are refreshed by its monitor, up to a minute late).
   */
  async counts(): Promise<QueueCounts> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`select state::text as state, count(*)::int as count from ${QUEUE_SCHEMA}.job where name = $1 group by state`, [RUN_QUEUE]);
    const count = (...states: string[]) =>
      (rows as Array<{ state: string; count: number }>).filter((row) => states.includes(row.state)).reduce((sum, row) => sum + row.count, 0);
    return { waiting: count('created', 'retry'), running: count('active'), failed: count('failed') };
  }

  /** The live processes registered on this database's queue (pg-boss's instance registry). */
  async instances(): Promise<QueueInstance[]> {
    const instances = await this.boss.getInstances();
    // Live: not stopped and heard from within three heartbeats (a killed process goes quiet, then drops out).
    return instances.filter((instance) => instance.live).map((instance) => ({
      name: instance.name,
      host: instance.host,
      pid: instance.pid,
      workers: instance.workers.filter((worker) => worker.queue === RUN_QUEUE).reduce((sum, worker) => sum + worker.localConcurrency, 0),
    }));
  }

  /** Stops taking jobs and closes the connection; `timeoutMs` bounds the wait for handlers still running. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.stopWorking();
    await this.boss.stop({ graceful: true, close: true, timeout: options.timeoutMs ?? 10_000 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
