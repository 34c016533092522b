import type { RunEvent, RunSettings, RunTotals } from '../contracts/index.js';
import type { ModelMessage } from '../models/types.js';
import { isPostgres } from '../shared/database/index.js';
import type { Store } from './database.js';
import { insertRun, lastSeq, type ModelCallRow, reopenRun, RunWrites, RunWriter } from './run-store.js';

type UsageEvent = Extract<RunEvent, { type: 'usage' }>;

/** Where a run stands, as the loop's checkpoint hook reports it. */
export interface RecorderCheckpoint {
  readonly runId: string;
  readonly messages: readonly ModelMessage[];
  readonly step: number;
  readonly totals: RunTotals;
}

export interface RunRecorderOptions {
  readonly sessionId: string;
  /** Messages at the front of the loop's array that are not part of the session (the system prompt). */
  readonly preamble: number;
  /** How many session messages are already stored. */
  readonly storedMessages: number;
  /** The settings the run started with, kept so a resume uses them. */
  readonly settings: RunSettings;
  /**
   * Whether a call (by its model tool name) changes nothing in the world: a read-only tool of a trusted server.
   * Such calls need nothing committed before they run (see {@link BARRIERS}); without this, every call is taken to
   * have side effects.
   */
  readonly changesNothing?: (modelToolName: string) => boolean;
  /** How long (ms) an event may wait for its group's commit; default {@link MAX_STAGED_MS}. */
  readonly maxStagedMs?: number;
}

/**
 * Events after which the loop acts on the world: a tool call runs (`tool-start`), a person is asked
 * (`approval-request`), the run is over (`run-end`). What is staged is committed before the loop goes past one.
 * A `tool-start` of a call that changes nothing (see {@link RunRecorderOptions.changesNothing}) is not one: if the
 * process dies before such a step is stored, a resume asks the model again, and repeating a read harms no one.
 */
const BARRIERS: ReadonlySet<RunEvent['type']> = new Set<RunEvent['type']>(['tool-start', 'approval-request', 'run-end']);
/** At most this many events wait in one commit (a fast stream of text deltas). */
const MAX_STAGED_EVENTS = 64;
/**
 * At most this long (ms) an event waits for its group's commit. A stream whose deltas each arrive within a turn
 * of the event loop (a fast provider, or many sessions interleaved) never looks "waiting", so without this bound
 * a whole answer was held back until it ended: /ws/chat's delta p99 went from 4 ms to 144 ms at 25 sessions
 * (with it: 23 ms p99 at 400 sessions, and the recorder's zero-latency step unchanged at ~153 µs).
 */
const MAX_STAGED_MS = 1;
const NOTHING: readonly RunEvent[] = [];
const DONE: Promise<void> = Promise.resolve();
/** The producer's next event did not come within this turn of the event loop. */
const LATER = Symbol('later');

/**
 * Persists a run as it happens: the `runs` row, the session transcript (each new message), the events and the
 * paid model calls. Persist-then-emit: no event is passed on before it is stored, so whoever shows one (the CLI,
 * a WebSocket) never shows one the store does not have, even when the process is killed the next instant.
 *
 * {@link RunRecorder.persisted} commits in groups: it stages the events the loop produces back to back and
 * commits them together, before passing any of them on, whenever the loop is about to act on the world (see
 * {@link BARRIERS}), would wait (its next event is not ready within this turn of the event loop: a model or a tool
 * is working), or checkpoints a step whose tool calls are about to run. A step of a zero-latency model and an
 * in-process tool is then two commits instead of eight; a kill -9 loses only events nobody was shown.
 * {@link RunRecorder.record} and {@link RunRecorder.checkpoint} used on their own commit at once.
 */
export class RunRecorder {
  private seq = 0;
  private storedMessages: number;
  private readonly writer: RunWriter;
  /** What was recorded and not yet committed. */
  private writes = new RunWrites();
  /** The seq and transcript length the store has. */
  private committed: { seq: number; storedMessages: number };
  /** Commits run one after another, in the order they were asked for. */
  private queue: Promise<void> = DONE;
  /** Commits waiting in {@link queue}. */
  private queued = 0;
  /** Bumped when a commit fails: the commits queued behind it are refused, their seqs follow the lost ones. */
  private generation = 0;
  /** While {@link persisted} runs: events committed and not yet passed on. */
  private unshown: RunEvent[] | undefined;
  /** A step-end is staged and the checkpoint that follows it (the step's results) is not yet. */
  private endsWithoutCheckpoint = false;
  /** When the first event of the writes not yet committed was staged. */
  private stagedSince = 0;
  /** The calls of the step being run, when they all change nothing: their `tool-start`s are no barrier. */
  private readonly harmless = new Set<string>();
  private readonly maxStagedMs: number;

  constructor(
    private readonly store: Store,
    private readonly options: RunRecorderOptions,
  ) {
    this.storedMessages = options.storedMessages;
    this.maxStagedMs = options.maxStagedMs ?? MAX_STAGED_MS;
    this.committed = { seq: 0, storedMessages: options.storedMessages };
    this.writer = new RunWriter(store.db, store.sqlite, isPostgres(store.db));
  }

  /**
   * The events of `run`, each passed on once it is stored (committed in groups, see the class). Stops with
   * `stop`'s reason, writing nothing more, when `stop` is aborted after an event arrives (another process took
   * the run). What the loop returns is returned.
   */
  async *persisted<R>(run: AsyncIterator<RunEvent, R>, options: { readonly stop?: AbortSignal } = {}): AsyncGenerator<RunEvent, R> {
    this.unshown = [];
    this.endsWithoutCheckpoint = false;
    const waiter = new NextOrLater<IteratorResult<RunEvent, R>>();
    try {
      for (;;) {
        // What a checkpoint or a flush committed meanwhile is shown before the loop goes on.
        if (!this.endsWithoutCheckpoint) for (const stored of this.takeUnshown()) yield stored;
        const next = run.next();
        let result: IteratorResult<RunEvent, R>;
        try {
          let first = this.writes.empty && this.unshown.length === 0 ? await next : await waiter.wait(next);
          if (first === LATER) {
            if (options.stop?.aborted) throw options.stop.reason;
            // The loop waits for a model, a tool or a person: store and show what it produced meanwhile; a step's
            // end only with its checkpoint (its results), which follows it.
            await this.commit();
            if (!this.endsWithoutCheckpoint) for (const stored of this.takeUnshown()) yield stored;
            this.writer.checkpointWhenIdle();
            first = await next;
          }
          result = first;
        } catch (error) {
          // The loop threw: what it produced before is stored and shown first, as it would have been one by one.
          if (!options.stop?.aborted) {
            await this.commit();
            for (const stored of this.takeUnshown()) yield stored;
          }
          throw error;
        }
        if (result.done) {
          // Ended: what is left is committed and shown, unless the run is someone else's now.
          if (options.stop?.aborted) return result.value;
          await this.commit();
          for (const stored of this.takeUnshown()) yield stored;
          this.writer.checkpointWhenIdle();
          return result.value;
        }
        if (options.stop?.aborted) throw options.stop.reason;
        const event = result.value;
        if (event.type === 'run-start') await this.start(event);
        this.stage(event);
        if (event.type === 'run-start' || (BARRIERS.has(event.type) && !(event.type === 'tool-start' && this.harmless.has(event.toolCallId)))) {
          await this.commit();
          for (const stored of this.takeUnshown()) yield stored;
        } else if (this.writes.events.length >= MAX_STAGED_EVENTS || performance.now() - this.stagedSince >= this.maxStagedMs) {
          await this.commit();
          if (!this.endsWithoutCheckpoint) for (const stored of this.takeUnshown()) yield stored;
        }
      }
    } finally {
      this.unshown = undefined;
    }
  }

  /** Stores one event (a `run-start` also creates or reopens the run, a `run-end` closes it); resolves once it is stored. */
  async record(event: RunEvent): Promise<void> {
    if (event.type === 'run-start') await this.start(event);
    this.stage(event);
    await this.commit();
  }

  /**
   * Stages the messages added since the last checkpoint and the progress, stored atomically with the events
   * before them. When no {@link persisted} is running, committed before it resolves. Otherwise a step is one
   * commit: a turn whose tool calls may change something is committed at the first such call's `tool-start` (a
   * barrier), so the turn is durable before any of its side effects start, and its results go with the next group;
   * a step whose calls all change nothing is committed here, with its results.
   */
  async checkpoint(checkpoint: RecorderCheckpoint): Promise<void> {
    const { messages, runId } = checkpoint;
    const first = this.options.preamble + this.storedMessages;
    const createdAt = messages.length > first ? new Date().toISOString() : '';
    for (let index = first; index < messages.length; index++) {
      const message = messages[index]!;
      this.writes.messages.push({
        session_id: this.options.sessionId,
        seq: index - this.options.preamble + 1,
        run_id: runId,
        role: message.role,
        // Only the new messages are serialised: the transcript is appended to, never rewritten.
        message: JSON.stringify(message),
        created_at: createdAt,
      });
    }
    this.writes.progress = { runId, totals: checkpoint.totals };
    this.storedMessages = Math.max(this.storedMessages, messages.length - this.options.preamble);
    this.endsWithoutCheckpoint = false;
    const last = checkpoint.messages.at(-1);
    const harmlessStepEnds = last?.role === 'tool' && this.harmless.size > 0;
    this.noteHarmlessCalls(last);
    if (harmlessStepEnds || this.unshown === undefined) await this.commit();
  }

  /** Notes which of the tool calls `last` (the transcript's last message) asks for change nothing: all, or none. */
  private noteHarmlessCalls(last: ModelMessage | undefined): void {
    this.harmless.clear();
    if (last?.role !== 'assistant' || !this.options.changesNothing) return;
    for (const call of last.toolCalls) {
      if (!this.options.changesNothing(call.name)) {
        this.harmless.clear();
        return;
      }
      this.harmless.add(call.id);
    }
  }

  /**
   * Commits what is staged now. For writes elsewhere that refer to the step being recorded (an approval asked for,
   * an automatic decision audited): the step is stored before anything that points at it.
   */
  flush(): Promise<void> {
    return this.commit();
  }

  /** Adds an event to the writes not yet committed, under the next seq. */
  private stage(event: RunEvent): void {
    this.seq += 1;
    this.writes.events.push({ seq: this.seq, event });
    if (this.writes.events.length === 1) this.stagedSince = performance.now();
    if (event.type === 'usage' && event.model !== undefined) this.writes.modelCalls.push(this.modelCall(event));
    if (event.type === 'run-end') this.writes.progress = { runId: event.runId, totals: event.totals, end: event };
    this.endsWithoutCheckpoint = event.type === 'step-end';
  }

  /** The events stored and not yet passed on, to pass on now (once what is staged is committed). */
  private takeUnshown(): readonly RunEvent[] {
    const stored = this.unshown;
    if (!stored || stored.length === 0) return NOTHING;
    this.unshown = [];
    return stored;
  }

  /**
   * Commits what is staged, after the commits asked for before it. On failure nothing of it is stored and it is
   * dropped, with everything staged or queued after it, so the next write numbers on from what the store has.
   */
  private commit(): Promise<void> {
    const batch = this.writes;
    if (batch.empty) return this.queue;
    const through = { seq: this.seq, storedMessages: this.storedMessages };
    if (this.queued === 0) {
      // Nothing in flight: on SQLite the commit is made here and now, without a promise per commit.
      let done: boolean;
      try {
        done = this.writer.commitNow(batch);
      } catch (error) {
        this.failed();
        return Promise.reject(error);
      }
      if (done) {
        this.stored(batch, through);
        batch.clear();
        return DONE;
      }
    }
    this.writes = new RunWrites();
    const generation = this.generation;
    this.queued += 1;
    const done = this.queue.then(async () => {
      try {
        if (generation !== this.generation) throw new Error('An earlier write of this run failed; the writes after it were not stored.');
        try {
          await this.writer.commit(batch);
        } catch (error) {
          this.failed();
          throw error;
        }
        this.stored(batch, through);
      } finally {
        this.queued -= 1;
      }
    });
    this.queue = done.catch(() => {});
    return done;
  }

  /** Notes a commit made: the store has the run up to `through`; its events are ready to be passed on. */
  private stored(batch: RunWrites, through: { seq: number; storedMessages: number }): void {
    this.committed = through;
    if (this.unshown) for (const { event } of batch.events) this.unshown.push(event);
  }

  /** A commit failed: it and everything staged or queued after it are dropped, numbering goes back to the store's. */
  private failed(): void {
    this.generation += 1;
    this.writes = new RunWrites();
    ({ seq: this.seq, storedMessages: this.storedMessages } = this.committed);
  }

  private async start(event: Extract<RunEvent, { type: 'run-start' }>): Promise<void> {
    const { db } = this.store;
    await db
      .insertInto('sessions')
      .values({ id: event.sessionId, title: event.task.slice(0, 200), created_at: new Date(event.at).toISOString() })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    if (event.resumed) {
      this.seq = await lastSeq(db, event.runId);
      this.committed = { ...this.committed, seq: this.seq };
      await reopenRun(db, event.runId, event.sessionId);
      return;
    }
    await insertRun(db, {
      id: event.runId,
      sessionId: event.sessionId,
      task: event.task,
      model: event.model,
      startedAt: new Date(event.at).toISOString(),
      settings: this.options.settings,
    });
  }

  /** The `model_calls` row of a usage event. */
  private modelCall(event: UsageEvent): ModelCallRow {
    const at = new Date(event.at).toISOString();
    return {
      run_id: event.runId,
      session_id: this.options.sessionId,
      step: event.step,
      kind: event.kind ?? 'step',
      model: event.model ?? 'unknown',
      input_tokens: event.usage.inputTokens,
      cached_input_tokens: event.usage.cachedInputTokens ?? 0,
      output_tokens: event.usage.outputTokens,
      reasoning_tokens: event.usage.reasoningTokens ?? 0,
      cost_usd: event.costUsd,
      duration_ms: event.durationMs === undefined ? null : Math.round(event.durationMs),
      at,
      day: at.slice(0, 10),
    };
  }
}

/** What runs once this turn of the event loop is over: one timer per turn, shared by every recorder waiting in it. */
const atTurnEnd: Array<() => void> = [];

function whenTurnEnds(callback: () => void): void {
  if (atTurnEnd.push(callback) === 1) setImmediate(endTurn);
}

function endTurn(): void {
  for (const callback of atTurnEnd.splice(0)) callback();
}

/**
 * Waits for the producer's next event, or for the end of this turn of the event loop if that comes first
 * ({@link LATER}: the producer waits on a model, a tool or a person). One per {@link RunRecorder.persisted}: it is
 * on every event's path, so it reuses its handlers instead of racing promises (Promise.race allocated ~3.6 KB a step).
 */
class NextOrLater<T> {
  #resolve: ((value: T | typeof LATER) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #armed = false;
  // A handler of an earlier wait that fires late finds nothing pending and does nothing.
  readonly #onValue = (value: T) => {
    const resolve = this.#resolve;
    this.#resolve = this.#reject = undefined;
    resolve?.(value);
  };
  readonly #onError = (error: unknown) => {
    const reject = this.#reject;
    this.#resolve = this.#reject = undefined;
    reject?.(error);
  };
  readonly #onTurnEnd = () => {
    this.#armed = false;
    const resolve = this.#resolve;
    this.#resolve = this.#reject = undefined;
    resolve?.(LATER);
  };

  wait(next: Promise<T>): Promise<T | typeof LATER> {
    const { promise, resolve, reject } = Promise.withResolvers<T | typeof LATER>();
    this.#resolve = resolve;
    this.#reject = reject;
    next.then(this.#onValue, this.#onError);
    if (!this.#armed) {
      this.#armed = true;
      whenTurnEnds(this.#onTurnEnd);
    }
    return promise;
  }
}
