/**
 * @module Following a run or a session from the store, wherever it executes: the backlog first, then each event
 * as the {@link EventFeed} announces it, read back from the store after a cursor, so a follower sees every
 * event once and in stored order however notifications arrive (late, coalesced, lost across a reconnect).
 */
import type { Kysely } from 'kysely';
import type { RunEvent } from '../contracts/index.js';
import { errorMessage } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { RunStore } from '../store/run-store.js';
import type { Database } from '../store/schema.js';
import type { EventFeed } from './event-feed.js';

/** One follower's reading position, and whether a read is under way (further news then means one more read). */
interface Cursor {
  readonly pull: () => Promise<void>;
  pulling: Promise<void> | undefined;
  dirty: boolean;
  closed: boolean;
}

/** What a {@link StoreFollower} reads from. */
export interface StoreFollowerOptions {
  readonly db: Kysely<Database>;
  readonly feed: EventFeed;
  readonly logger?: Logger;
}

/**
 * Streams stored run events to followers on this process, for runs executing on any process. A session's
 * events are numbered by their position in the session's stored order (1, 2, 3, …), the same numbers on every
 * process and after any restart.
 */
export class StoreFollower {
  private readonly byRun = new Map<string, Set<Cursor>>();
  private readonly bySession = new Map<string, Set<Cursor>>();
  private readonly stop: Array<() => void>;
  private readonly logger: Logger;
  /** Where the events are read, parsed (a stored event that does not parse is a `StoredDataError`, never a cast). */
  private readonly runs: RunStore;

  constructor(private readonly options: StoreFollowerOptions) {
    this.logger = options.logger ?? noopLogger;
    this.runs = new RunStore(options.db);
    this.stop = [
      options.feed.onRunEvent((notice) => {
        for (const cursor of this.byRun.get(notice.runId) ?? []) this.poke(cursor);
        if (notice.sessionId !== null) for (const cursor of this.bySession.get(notice.sessionId) ?? []) this.poke(cursor);
      }),
      options.feed.onResync(() => {
        for (const set of [...this.byRun.values(), ...this.bySession.values()]) for (const cursor of set) this.poke(cursor);
      }),
    ];
  }

  /**
   * Sends `deliver` the run's stored events with a seq above `afterSeq`, then each new one, until the returned
   * function is called. Resolves once the backlog has been sent.
   */
  async followRun(runId: string, deliver: (event: RunEvent, seq: number) => void, afterSeq = 0): Promise<() => void> {
    let last = afterSeq;
    const cursor = this.cursor(async () => {
      for (const { seq, event } of await this.runs.eventsAfter(runId, last)) {
        if (cursor.closed) return;
        last = seq;
        deliver(event, seq);
      }
    });
    return this.register(this.byRun, runId, cursor);
  }

  /**
   * Sends `deliver` the session's stored events at a position above `afterId`, then each new one, until
   * `unsubscribe`. Resolves, once the backlog is sent, with the position of the last event sent (or `afterId`).
   */
  async followSession(
    sessionId: string,
    afterId: number,
    deliver: (event: RunEvent, id: number) => void,
  ): Promise<{ unsubscribe: () => void; lastEventId: number }> {
    let lastRowId = 0;
    let position = 0;
    let lastSent = afterId;
    const cursor = this.cursor(async () => {
      for (const { rowId, event } of await this.runs.sessionEventsAfter(sessionId, lastRowId)) {
        if (cursor.closed) return;
        lastRowId = rowId;
        position += 1;
        if (position <= afterId) continue;
        lastSent = position;
        deliver(event, position);
      }
    });
    const unsubscribe = await this.register(this.bySession, sessionId, cursor);
    return { unsubscribe, lastEventId: lastSent };
  }

  /** Resolves true once the run has a stored event, false when `timeoutMs` passes first or `signal` aborts. */
  async waitForRun(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const { promise, resolve } = Promise.withResolvers<boolean>();
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const onAbort = () => resolve(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = await this.followRun(runId, () => resolve(true));
    try {
      return await promise;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }

  /** Stops following everything. */
  close(): void {
    for (const stop of this.stop) stop();
    for (const set of [...this.byRun.values(), ...this.bySession.values()]) for (const cursor of set) cursor.closed = true;
    this.byRun.clear();
    this.bySession.clear();
  }

  private cursor(pull: () => Promise<void>): Cursor {
    return { pull, pulling: undefined, dirty: false, closed: false };
  }

  /** Registers first, then reads the backlog: news that arrives during the read is not lost (it reads again). */
  private async register(index: Map<string, Set<Cursor>>, key: string, cursor: Cursor): Promise<() => void> {
    const set = index.get(key) ?? new Set<Cursor>();
    index.set(key, set);
    set.add(cursor);
    const unsubscribe = () => {
      cursor.closed = true;
      set.delete(cursor);
      if (set.size === 0 && index.get(key) === set) index.delete(key);
    };
    try {
      await this.poke(cursor);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** Reads after the cursor now, or once more after the read under way; resolves when the cursor is caught up. */
  private poke(cursor: Cursor): Promise<void> {
    if (cursor.pulling) {
      cursor.dirty = true;
      return cursor.pulling;
    }
    cursor.pulling = (async () => {
      try {
        do {
          cursor.dirty = false;
          if (cursor.closed) return;
          await cursor.pull();
        } while (cursor.dirty);
      } finally {
        cursor.pulling = undefined;
      }
    })();
    // A read that fails in the background (the store briefly unreachable) is logged; the next notice retries.
    cursor.pulling.catch((error: unknown) => this.logger.warn({ error: errorMessage(error) }, 'reading followed events failed'));
    return cursor.pulling;
  }
}
