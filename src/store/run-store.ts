/**
 * @module The runs and their events in the store: the only code that reads or writes the `runs` and `run_events`
 * tables. Rows are parsed on the way out (stored settings and events carry a `schemaVersion`), so a row from a
 * newer release or a damaged one is a {@link StoredDataError} naming the run, never a silent misread.
 */
import { claimSession } from './session-claim.js';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { CompiledQuery, type Insertable, type Kysely, type Selectable } from 'kysely';
import {
  type RunEvent,
  type RunSettings,
  type RunStatus,
  RunStatusSchema,
  type RunTotals,
  safeParseStoredEvent,
  safeParseStoredSettings,
  storedEventJson,
  storedSettingsJson,
} from '../contracts/index.js';
import { AppError, RunNotFoundError, StoredDataError } from '../shared/errors.js';
import type { Database, ModelCallTable, RunTable, SessionMessageTable } from './schema.js';

/** A stored run, parsed. */
export interface StoredRun {
  readonly id: string;
  readonly sessionId: string;
  readonly task: string;
  readonly model: string;
  /** `running` until the run ends, then its outcome. */
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly finalText: string | null;
  readonly error: string | null;
  /** The step the run was in when it was last stored (what a resume continues from). */
  readonly step: number;
  readonly totals: RunTotals;
  /** The options it runs with (`runs.options`). */
  readonly settings: RunSettings;
}

/** A run in a list: enough to show and pick it. */
export type RunListing = Pick<StoredRun, 'id' | 'sessionId' | 'task' | 'model' | 'status' | 'startedAt' | 'totals'>;

/** One stored event of a session, with the run-level sequence number it was stored under. */
export interface StoredSessionEvent {
  readonly runId: string;
  readonly seq: number;
  readonly event: RunEvent;
}

type RunRow = Selectable<RunTable>;

/** A run row's totals. Numbers come back as strings from PostgreSQL's numeric columns, so every one is converted. */
function totalsOf(row: Pick<RunRow, 'steps' | 'tool_calls' | 'input_tokens' | 'output_tokens' | 'cost_usd'>): RunTotals {
  return {
    steps: Number(row.steps),
    toolCalls: Number(row.tool_calls),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: Number(row.cost_usd),
  };
}

function statusOf(row: Pick<RunRow, 'id' | 'status'>): RunStatus {
  const status = RunStatusSchema.safeParse(row.status);
  if (!status.success) throw new StoredDataError(row.id, 'status', `"${row.status}" is not a run status`);
  return status.data;
}

function parseRun(row: RunRow): StoredRun {
  const settings = safeParseStoredSettings(row.options, row.model);
  if (!settings.success) throw new StoredDataError(row.id, 'settings', settings.error);
  return {
    id: row.id,
    sessionId: row.session_id,
    task: row.task,
    model: row.model,
    status: statusOf(row),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    finalText: row.final_text,
    error: row.error,
    step: Number(row.steps),
    totals: totalsOf(row),
    settings: settings.value,
  };
}

function parseEvent(runId: string, seq: number, data: string): RunEvent {
  const parsed = safeParseStoredEvent(data);
  if (!parsed.success) throw new StoredDataError(runId, `event ${seq}`, parsed.error);
  return parsed.value;
}

/** One event to append, with the run-level sequence number it is stored under. */
export interface NumberedEvent {
  readonly seq: number;
  readonly event: RunEvent;
}

/** Every status but `finished` can be resumed: a paused, interrupted, cancelled, budget-stopped or failed run. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set<RunStatus>(['paused', 'running', 'cancelled', 'budget-exhausted', 'failed']);

/** The run ended for good (finished): there is nothing to resume. The HTTP API answers 409. */
export class RunNotResumableError extends AppError {
  readonly code = 'RUN_FINISHED';
  constructor(readonly run: Pick<StoredRun, 'id' | 'status'>) {
    super(`Run ${run.id} ${run.status === 'finished' ? 'already finished' : `already ended (${run.status})`}, nothing to resume.`);
  }
}

/** True when the run can be resumed (see {@link RESUMABLE}). */
export function isResumable(run: Pick<StoredRun, 'status'>): boolean {
  return RESUMABLE.has(run.status);
}

/**
 * The runs and their events. Reads take the store's handle; the writes a recorder makes inside its transaction
 * take that transaction (any `Kysely<Database>`), so a step is stored whole or not at all.
 */
export class RunStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The run, or undefined when there is none. Throws `StoredDataError` when its row does not parse. */
  async get(runId: string): Promise<StoredRun | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    return row ? parseRun(row) : undefined;
  }

  /** The run. Throws `RunNotFoundError` for an unknown id, `StoredDataError` when its row does not parse. */
  async load(runId: string): Promise<StoredRun> {
    const run = await this.get(runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }

  async exists(runId: string): Promise<boolean> {
    const row = await this.db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
    return row !== undefined;
  }

  /** When the run's end was stored (milliseconds since the epoch); undefined while it runs, or for an unknown run. */
  async endedAt(runId: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('runs').select(['status', 'ended_at']).where('id', '=', runId).executeTakeFirst();
    if (!row || row.status === 'running' || row.ended_at === null) return undefined;
    return Date.parse(row.ended_at);
  }

  /** The highest stored event seq of the run; 0 before its first event. */
  async lastSeq(runId: string): Promise<number> {
    return lastSeq(this.db, runId);
  }

  /** The run's stored events, oldest first; only those up to `maxSeq` when given. */
  async events(runId: string, options: { maxSeq?: number } = {}): Promise<RunEvent[]> {
    let query = this.db.selectFrom('run_events').select(['seq', 'data']).where('run_id', '=', runId).orderBy('seq');
    if (options.maxSeq !== undefined) query = query.where('seq', '<=', options.maxSeq);
    const rows = await query.execute();
    return rows.map((row) => parseEvent(runId, Number(row.seq), row.data));
  }

  /** The run's stored events after `afterSeq`, oldest first, each with its seq: what a follower has not sent yet. */
  async eventsAfter(runId: string, afterSeq: number): Promise<NumberedEvent[]> {
    const rows = await this.db.selectFrom('run_events').select(['seq', 'data']).where('run_id', '=', runId).where('seq', '>', afterSeq).orderBy('seq').execute();
    return rows.map((row) => ({ seq: Number(row.seq), event: parseEvent(runId, Number(row.seq), row.data) }));
  }

  /**
   * The session's stored events inserted after the row `afterRowId` (the store's auto-increment id, which only
   * grows: see {@link sessionEvents}), oldest first, each with that id: what a follower of the session has not sent.
   */
  async sessionEventsAfter(sessionId: string, afterRowId: number): Promise<Array<{ readonly rowId: number; readonly event: RunEvent }>> {
    const rows = await this.db
      .selectFrom('run_events')
      .innerJoin('runs', 'runs.id', 'run_events.run_id')
      .select(['run_events.id as id', 'run_events.run_id as runId', 'run_events.seq as seq', 'run_events.data as data'])
      .where('runs.session_id', '=', sessionId)
      .where('run_events.id', '>', afterRowId)
      .orderBy('run_events.id')
      .execute();
    return rows.map((row) => ({ rowId: Number(row.id), event: parseEvent(row.runId, Number(row.seq), row.data) }));
  }

  /**
   * The leases that expired before `now` of runs still `running`: runs whose executor stopped renewing (killed, or
   * cut off), for a sweeper to hand to another process.
   */
  async expiredLeasesOfRunningRuns(now: number): Promise<Array<{ readonly runId: string; readonly ownerId: string; readonly pid: number; readonly host: string }>> {
    const rows = await this.db
      .selectFrom('run_leases')
      .innerJoin('runs', 'runs.id', 'run_leases.run_id')
      .select(['run_leases.run_id as runId', 'run_leases.owner_id as ownerId', 'run_leases.pid as pid', 'run_leases.host as host'])
      .where('run_leases.expires_at', '<', now)
      .where('runs.status', '=', 'running')
      .execute();
    return rows.map((row) => ({ runId: row.runId, ownerId: row.ownerId, pid: Number(row.pid), host: row.host }));
  }

  /** The run's stored events of the given types, oldest first, each with the seq it was stored under. */
  async eventsOfType(runId: string, types: readonly RunEvent['type'][]): Promise<NumberedEvent[]> {
    if (types.length === 0) return [];
    const rows = await this.db.selectFrom('run_events').select(['seq', 'data']).where('run_id', '=', runId).where('type', 'in', types).orderBy('seq').execute();
    return rows.map((row) => ({ seq: Number(row.seq), event: parseEvent(runId, Number(row.seq), row.data) }));
  }

  /**
   * Every stored event of the session's runs, in insertion order (the store's auto-increment id, which only grows;
   * one run executes per session at a time, so insertion order is the order they happened).
   */
  async sessionEvents(sessionId: string): Promise<StoredSessionEvent[]> {
    const rows = await this.db
      .selectFrom('run_events')
      .innerJoin('runs', 'runs.id', 'run_events.run_id')
      .select(['run_events.run_id as runId', 'run_events.seq as seq', 'run_events.data as data'])
      .where('runs.session_id', '=', sessionId)
      .orderBy('run_events.id')
      .execute();
    return rows.map((row) => ({ runId: row.runId, seq: Number(row.seq), event: parseEvent(row.runId, Number(row.seq), row.data) }));
  }

  /** The session's runs, oldest first. */
  async ofSession(sessionId: string): Promise<RunListing[]> {
    const rows = await this.listing().where('session_id', '=', sessionId).orderBy('started_at').execute();
    return rows.map(listingOf);
  }

  /** The most recent runs of every session, newest first. */
  async recent(limit = 200): Promise<RunListing[]> {
    const rows = await this.listing().orderBy('started_at', 'desc').limit(limit).execute();
    return rows.map(listingOf);
  }

  /** The runs started since `since` (ISO-8601), oldest first. */
  async startedSince(since: string): Promise<RunListing[]> {
    const rows = await this.listing().where('started_at', '>=', since).orderBy('started_at').execute();
    return rows.map(listingOf);
  }

  /**
   * Tool calls and wall seconds (of the runs that ended) of the stored runs other than `exceptRunId`: of one
   * session, and/or of those started since `startedSince` (ISO-8601). What a budget's session and day baseline
   * takes from the runs; money and tokens come from the model calls.
   */
  async spendOf(filter: { readonly exceptRunId: string; readonly sessionId?: string; readonly startedSince?: string }): Promise<{ toolCalls: number; wallSeconds: number }> {
    let query = this.db.selectFrom('runs').select(['tool_calls', 'started_at', 'ended_at']).where('id', '!=', filter.exceptRunId);
    if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
    if (filter.startedSince !== undefined) query = query.where('started_at', '>=', filter.startedSince);
    let toolCalls = 0;
    let wallSeconds = 0;
    for (const row of await query.execute()) {
      toolCalls += Number(row.tool_calls);
      if (row.ended_at) wallSeconds += Math.max(0, Date.parse(row.ended_at) - Date.parse(row.started_at)) / 1_000;
    }
    return { toolCalls, wallSeconds };
  }

  /**
   * The run's latest `usage` events, newest first, at most `limit`. A row that does not parse is skipped rather
   * than thrown: callers read these for a hint (the budget's calibration), never as the run's record.
   */
  async latestUsage(runId: string, limit: number): Promise<Array<Extract<RunEvent, { type: 'usage' }>>> {
    const rows = await this.db.selectFrom('run_events').select('data').where('run_id', '=', runId).where('type', '=', 'usage').orderBy('seq', 'desc').limit(limit).execute();
    const usage: Array<Extract<RunEvent, { type: 'usage' }>> = [];
    for (const row of rows) {
      const parsed = safeParseStoredEvent(row.data);
      if (parsed.success && parsed.value.type === 'usage') usage.push(parsed.value);
    }
    return usage;
  }

  /** Replaces the settings the run executes with (a resume with other options). */
  async saveSettings(runId: string, settings: RunSettings): Promise<void> {
    await this.db.updateTable('runs').set({ options: storedSettingsJson(settings) }).where('id', '=', runId).execute();
  }

  private listing() {
    return this.db
      .selectFrom('runs')
      .select(['id', 'session_id', 'task', 'model', 'status', 'started_at', 'steps', 'tool_calls', 'input_tokens', 'output_tokens', 'cost_usd']);
  }
}

function listingOf(row: Pick<RunRow, 'id' | 'session_id' | 'task' | 'model' | 'status' | 'started_at' | 'steps' | 'tool_calls' | 'input_tokens' | 'output_tokens' | 'cost_usd'>): RunListing {
  return {
    id: row.id,
    sessionId: row.session_id,
    task: row.task,
    model: row.model,
    status: statusOf(row),
    startedAt: row.started_at,
    totals: totalsOf(row),
  };
}

/** The highest stored event seq of the run; 0 before its first event. */
export async function lastSeq(db: Kysely<Database>, runId: string): Promise<number> {
  const row = await db
    .selectFrom('run_events')
    .select(({ fn }) => fn.max<number>('seq').as('last'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/**
 * Records a new run as `running`, with the settings it executes with, and claims its session in the same
 * transaction: throws `SessionBusyError` (and records nothing) while another run of the session executes.
 */
export async function insertRun(
  db: Kysely<Database>,
  run: { id: string; sessionId: string; task: string; model: string; startedAt: string; settings: RunSettings },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await claimSession(trx, { sessionId: run.sessionId, runId: run.id });
    await trx
    .insertInto('runs')
    .values({
      id: run.id,
      session_id: run.sessionId,
      task: run.task,
      model: run.model,
      status: 'running',
      started_at: run.startedAt,
      ended_at: null,
      final_text: null,
      error: null,
      options: storedSettingsJson(run.settings),
    })
    .execute();
  });
}

/**
 * Marks a stored run `running` again (a resume); what it did and spent stays. Claims its session in the same
 * transaction: throws `SessionBusyError` (and changes nothing) while another run of the session executes.
 */
export async function reopenRun(db: Kysely<Database>, runId: string, sessionId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await claimSession(trx, { sessionId, runId });
    await trx.updateTable('runs').set({ status: 'running', ended_at: null, error: null }).where('id', '=', runId).execute();
  });
}

/** Appends events under their seqs. */
export async function appendEvents(db: Kysely<Database>, events: readonly NumberedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('run_events')
    .values(events.map(({ seq, event }) => ({ run_id: event.runId, seq, type: event.type, at: event.at, data: storedEventJson(event) })))
    .execute();
}

/** Stores what the run has done and spent so far. */
export async function saveTotals(db: Kysely<Database>, runId: string, totals: RunTotals): Promise<void> {
  await db.updateTable('runs').set(totalsColumns(totals)).where('id', '=', runId).execute();
}

/** Stores how the run ended: its outcome, final text, error and totals. */
export async function finishRun(db: Kysely<Database>, end: Extract<RunEvent, { type: 'run-end' }>): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: end.outcome,
      ended_at: new Date(end.at).toISOString(),
      ...totalsColumns(end.totals),
      final_text: end.text,
      error: end.error ?? null,
    })
    .where('id', '=', end.runId)
    .execute();
}

function totalsColumns(totals: RunTotals) {
  return {
    steps: totals.steps,
    tool_calls: totals.toolCalls,
    input_tokens: totals.inputTokens,
    output_tokens: totals.outputTokens,
    cost_usd: totals.costUsd,
  };
}

/** A `session_messages` row the recorder appends. */
export type SessionMessageRow = Insertable<SessionMessageTable>;
/** A `model_calls` row: one paid model call. */
export type ModelCallRow = Insertable<ModelCallTable>;
type RunEnd = Extract<RunEvent, { type: 'run-end' }>;

/**
 * What a run wrote since the last commit, in the order it happened: its events under their seqs, the paid model
 * calls, the transcript's new messages, and where the run stands (its last totals, or how it ended).
 */
export class RunWrites {
  readonly events: NumberedEvent[] = [];
  readonly modelCalls: ModelCallRow[] = [];
  readonly messages: SessionMessageRow[] = [];
  /** The latest progress wins: a run-end carries its totals, so it replaces any totals before it. */
  progress: { readonly runId: string; readonly totals: RunTotals; readonly end?: RunEnd } | undefined;

  get empty(): boolean {
    return this.events.length === 0 && this.modelCalls.length === 0 && this.messages.length === 0 && this.progress === undefined;
  }

  clear(): void {
    this.events.length = 0;
    this.modelCalls.length = 0;
    this.messages.length = 0;
    this.progress = undefined;
  }
}

/**
 * Commits a {@link RunWrites} whole, or not at all. On SQLite the statements are prepared once on the connection
 * and run inside one `begin immediate … commit` (Kysely would build and look up every query afresh: most of a
 * small write's cost); when a transaction is already open on the connection (another caller's, through Kysely)
 * the writes go through Kysely instead, which waits its turn. On PostgreSQL the batch is one statement (one round
 * trip, atomic by itself): data-modifying CTEs, one per table.
 */
export class RunWriter {
  readonly #statements: SqliteRunStatements | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite?: DatabaseSync,
    private readonly postgres = false,
  ) {
    this.#statements = sqlite ? sqliteStatements(sqlite) : undefined;
  }

  /**
   * Copies the SQLite write-ahead log into the database file (a passive checkpoint: it waits for no one) when
   * enough was committed since the last one. Called when the run is idle (waiting on a model, or ended), so the
   * checkpoint's fsyncs are not paid inside a step; `wal_autocheckpoint` (see database.ts) is the backstop.
   */
  checkpointWhenIdle(): void {
    const statements = this.#statements;
    if (!statements || statements.database.isTransaction || statements.commitsSinceCheckpoint < IDLE_CHECKPOINT_COMMITS) return;
    statements.database.exec('pragma wal_checkpoint(PASSIVE)');
    statements.commitsSinceCheckpoint = 0;
  }

  /**
   * Stores the writes before returning, when that can be done without waiting (SQLite, no transaction open on
   * the connection): true; false when only {@link commit} can. Throws as {@link commit} does.
   */
  commitNow(writes: RunWrites): boolean {
    if (!this.#statements || this.#statements.database.isTransaction) return false;
    if (!writes.empty) this.#statements.commit(writes);
    return true;
  }

  /** Stores the writes; they are left as they were when it throws. */
  async commit(writes: RunWrites): Promise<void> {
    if (writes.empty) return;
    if (this.#statements && !this.#statements.database.isTransaction) return this.#statements.commit(writes);
    if (this.postgres) {
      await this.db.executeQuery(postgresBatch(writes));
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await appendEvents(trx, writes.events);
      if (writes.modelCalls.length > 0) await trx.insertInto('model_calls').values(writes.modelCalls).execute();
      if (writes.messages.length > 0) await trx.insertInto('session_messages').values(writes.messages).execute();
      const progress = writes.progress;
      if (progress?.end) await finishRun(trx, progress.end);
      else if (progress) await saveTotals(trx, progress.runId, progress.totals);
    });
  }
}

const EVENT_COLUMNS = ['run_id', 'seq', 'type', 'at', 'data'] as const;
const MODEL_CALL_COLUMNS = [
  'run_id',
  'session_id',
  'step',
  'kind',
  'model',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_usd',
  'duration_ms',
  'at',
  'day',
] as const;
const MESSAGE_COLUMNS = ['session_id', 'seq', 'run_id', 'role', 'message', 'created_at'] as const;
const TOTALS_SET = 'steps = ?, tool_calls = ?, input_tokens = ?, output_tokens = ?, cost_usd = ?';
const END_SET = `status = ?, ended_at = ?, ${TOTALS_SET}, final_text = ?, error = ?`;

function eventValues({ seq, event }: NumberedEvent): SQLInputValue[] {
  return [event.runId, seq, event.type, event.at, storedEventJson(event)];
}

function modelCallValues(row: ModelCallRow): SQLInputValue[] {
  return MODEL_CALL_COLUMNS.map((column) => row[column] ?? null);
}

function messageValues(row: SessionMessageRow): SQLInputValue[] {
  return [row.session_id, row.seq, row.run_id ?? null, row.role, row.message, row.created_at];
}

function totalsValues(totals: RunTotals): SQLInputValue[] {
  return [totals.steps, totals.toolCalls, totals.inputTokens, totals.outputTokens, totals.costUsd];
}

function endValues(end: RunEnd): SQLInputValue[] {
  return [end.outcome, new Date(end.at).toISOString(), ...totalsValues(end.totals), end.text, end.error ?? null];
}

const insertSql = (table: string, columns: readonly string[]) => insertRowsSql(table, columns, 1);
const insertRowsSql = (table: string, columns: readonly string[], rows: number) => {
  const row = `(${columns.map(() => '?').join(', ')})`;
  return `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rows }, () => row).join(', ')}`;
};
/** Rows in one SQLite insert at most: a group of up to 64 events is a few statements (SQLite allows 32,766 parameters). */
const MAX_ROWS_PER_INSERT = 16;

interface SqliteRunStatements {
  readonly database: DatabaseSync;
  commitsSinceCheckpoint: number;
  commit(writes: RunWrites): void;
}

/** Commits (of a few pages each) after which an idle run checkpoints the write-ahead log. */
const IDLE_CHECKPOINT_COMMITS = 64;

/** One set of prepared statements per connection, made on first use. */
const preparedOn = new WeakMap<DatabaseSync, SqliteRunStatements>();

function sqliteStatements(database: DatabaseSync): SqliteRunStatements {
  const known = preparedOn.get(database);
  if (known) return known;
  // `begin immediate`: take the write lock at once, where the busy timeout applies (see node-sqlite.ts).
  const begin = database.prepare('begin immediate');
  const commit = database.prepare('commit');
  const rollback = database.prepare('rollback');
  // A step's events go in one multi-row statement (a statement per row count, made when first needed).
  const eventRows: StatementSync[] = [];
  const eventsOf = (count: number) => (eventRows[count] ??= database.prepare(insertRowsSql('run_events', EVENT_COLUMNS, count)));
  const modelCall = database.prepare(insertSql('model_calls', MODEL_CALL_COLUMNS));
  const message = database.prepare(insertSql('session_messages', MESSAGE_COLUMNS));
  const totals = database.prepare(`update runs set ${TOTALS_SET} where id = ?`);
  const end = database.prepare(`update runs set ${END_SET} where id = ?`);
  const statements: SqliteRunStatements = {
    database,
    commitsSinceCheckpoint: 0,
    commit(writes) {
      begin.run();
      try {
        const { events } = writes;
        for (let from = 0; from < events.length; from += MAX_ROWS_PER_INSERT) {
          const count = Math.min(MAX_ROWS_PER_INSERT, events.length - from);
          const values: SQLInputValue[] = [];
          for (let index = from; index < from + count; index++) {
            const { seq, event: runEvent } = events[index]!;
            values.push(runEvent.runId, seq, runEvent.type, runEvent.at, storedEventJson(runEvent));
          }
          eventsOf(count).run(...values);
        }
        for (const row of writes.modelCalls) modelCall.run(...modelCallValues(row));
        for (const row of writes.messages) message.run(row.session_id, row.seq, row.run_id ?? null, row.role, row.message, row.created_at);
        const progress = writes.progress;
        if (progress?.end) end.run(...endValues(progress.end), progress.runId);
        else if (progress) {
          const { steps, toolCalls, inputTokens, outputTokens, costUsd } = progress.totals;
          totals.run(steps, toolCalls, inputTokens, outputTokens, costUsd, progress.runId);
        }
        commit.run();
        statements.commitsSinceCheckpoint += 1;
      } catch (error) {
        if (database.isTransaction) rollback.run();
        throw error;
      }
    },
  };
  preparedOn.set(database, statements);
  return statements;
}

/** The statement text of each batch shape, built once: a run's batches come in a handful of shapes. */
const postgresTexts = new Map<string, string>();

/** The whole batch as one PostgreSQL statement: one data-modifying CTE per table, `$n` parameters. */
function postgresBatch(writes: RunWrites): CompiledQuery {
  const { events, modelCalls, messages, progress } = writes;
  const shape = `${events.length}:${modelCalls.length}:${messages.length}:${progress ? (progress.end ? 'end' : 'totals') : ''}`;
  let text = postgresTexts.get(shape);
  if (text === undefined) {
    let next = 0;
    const rows = (count: number, width: number) =>
      Array.from({ length: count }, () => `(${Array.from({ length: width }, () => `$${++next}`).join(', ')})`).join(', ');
    const parts: string[] = [];
    if (events.length > 0) parts.push(`e as (insert into run_events (${EVENT_COLUMNS.join(', ')}) values ${rows(events.length, EVENT_COLUMNS.length)})`);
    if (modelCalls.length > 0) parts.push(`c as (insert into model_calls (${MODEL_CALL_COLUMNS.join(', ')}) values ${rows(modelCalls.length, MODEL_CALL_COLUMNS.length)})`);
    if (messages.length > 0) parts.push(`m as (insert into session_messages (${MESSAGE_COLUMNS.join(', ')}) values ${rows(messages.length, MESSAGE_COLUMNS.length)})`);
    if (progress) {
      const set = (progress.end ? END_SET : TOTALS_SET).replace(/\?/g, () => `$${++next}`);
      parts.push(`r as (update runs set ${set} where id = $${++next})`);
    }
    text = `with ${parts.join(', ')} select 1`;
    postgresTexts.set(shape, text);
  }
  const parameters: unknown[] = [];
  for (const numbered of events) parameters.push(...eventValues(numbered));
  for (const row of modelCalls) parameters.push(...modelCallValues(row));
  for (const row of messages) parameters.push(...messageValues(row));
  if (progress?.end) parameters.push(...endValues(progress.end), progress.runId);
  else if (progress) parameters.push(...totalsValues(progress.totals), progress.runId);
  return CompiledQuery.raw(text, parameters);
}
