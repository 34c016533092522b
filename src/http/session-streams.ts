/**
 * @module Session-level event streams for `/ws/chat`: every event of every run of a session, each with a
 * per-session event id (1, 2, 3, … in the order they happened), so a client that reconnects with `lastEventId`
 * gets exactly what it missed, and several tabs on one session see the same ids.
 *
 * Ids are positions in the session's sequence (its stored events in insertion order, then those of the run
 * executing here that are not stored yet), so they are the same after a restart of the server. Live events are
 * numbered as they are dispatched, by one counter per session, which starts where the stored sequence ends.
 *
 * With a {@link StoreFollower} (PostgreSQL, many processes) every event is read back from the store as it is
 * announced, wherever its run executes, and numbered by its position in the stored sequence: the same ids.
 */
import type { RunEvent } from '../contracts/index.js';
import type { StoredSessionEvent } from '../app/sessions.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { StoreFollower } from '../queue/store-follower.js';
import type { ExecutionView, RunManager } from '../app/run-manager.js';

/** A run event as `/ws/chat` sends it: with its session and its per-session id. */
export type SessionEventFrame = RunEvent & { readonly id: number; readonly sessionId: string };

/** A frame without an id: news that is not a run event (an approval decided, a run started). */
export interface SessionNotice {
  readonly type: string;
  readonly sessionId: string;
  readonly [key: string]: unknown;
}

/** Receives a session's frames, in order. */
export type SessionSubscriber = (frame: SessionEventFrame | SessionNotice) => void;

interface Channel {
  /** The id the next live event gets. */
  nextId: number;
  readonly subscribers: Set<SessionSubscriber>;
}

/** What {@link SessionStreams} reads from. */
export interface SessionStreamsOptions {
  readonly runs: RunManager;
  /** The session's stored events in insertion order (see `storedSessionEvents`). */
  readonly loadStored: (sessionId: string) => Promise<StoredSessionEvent[]>;
  readonly logger: Logger;
  /** Set on PostgreSQL: sessions are followed from the store, wherever their runs execute. */
  readonly follower?: StoreFollower;
}

/**
 * Fans the events of runs executing here out to each session's subscribers, numbered per session, after
 * replaying what a subscriber missed. Channels exist only while a session has subscribers.
 */
export class SessionStreams {
  private readonly channels = new Map<string, Channel>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly stopListening: () => void;
  /** Follower mode: who follows each session, for the notices (ids come from the store). */
  private readonly noticeSubscribers = new Map<string, Set<SessionSubscriber>>();

  constructor(private readonly options: SessionStreamsOptions) {
    if (options.follower) {
      this.stopListening = () => {};
      return;
    }
    this.stopListening = options.runs.onSessionEvent((sessionId, event) => {
      const channel = this.channels.get(sessionId);
      if (!channel) return;
      const frame: SessionEventFrame = { id: channel.nextId++, sessionId, ...event };
      this.deliver(channel, frame);
    });
  }

  /** Number of sessions with at least one subscriber. */
  get activeSessions(): number {
    return this.options.follower ? this.noticeSubscribers.size : this.channels.size;
  }

  /**
   * Sends `subscriber` the session's events with an id above `afterId` (0: all of them), then every new one, with
   * no gap and no repeat, until the returned function is called. Resolves with the id of the last event sent
   * from the backlog (or `afterId` when there was nothing newer).
   */
  subscribe(sessionId: string, afterId: number, subscriber: SessionSubscriber): Promise<{ unsubscribe: () => void; lastEventId: number }> {
    if (this.options.follower) return this.followStored(this.options.follower, sessionId, afterId, subscriber);
    return this.locked(sessionId, async () => {
      const before = this.options.runs.executionOf(sessionId);
      const stored = await this.options.loadStored(sessionId);
      const after = this.options.runs.executionOf(sessionId);
      // From here on nothing awaits: the backlog goes out before any live event can be dispatched.
      const sequence = compose(stored, before, after);
      let channel = this.channels.get(sessionId);
      if (!channel) {
        channel = { nextId: sequence.length + 1, subscribers: new Set() };
        this.channels.set(sessionId, channel);
      }
      // Live ids already handed out win over a longer stored sequence (events written by another process).
      const last = Math.min(sequence.length, channel.nextId - 1);
      for (let index = Math.max(0, afterId); index < last; index += 1) {
        subscriber({ id: index + 1, sessionId, ...sequence[index]! });
      }
      channel.subscribers.add(subscriber);
      const owned = channel;
      const unsubscribe = () => {
        owned.subscribers.delete(subscriber);
        if (owned.subscribers.size === 0 && this.channels.get(sessionId) === owned) this.channels.delete(sessionId);
      };
      return { unsubscribe, lastEventId: Math.max(afterId, last) };
    });
  }

  /** Sends a frame without an id to everyone following the session (e.g. an approval decided elsewhere). */
  notify(notice: SessionNotice): void {
    for (const subscriber of this.noticeSubscribers.get(notice.sessionId) ?? []) this.deliverTo(subscriber, notice);
    const channel = this.channels.get(notice.sessionId);
    if (channel) this.deliver(channel, notice);
  }

  /** Stops listening to the run manager and drops every subscriber. */
  close(): void {
    this.stopListening();
    this.channels.clear();
    this.noticeSubscribers.clear();
  }

  private async followStored(
    follower: StoreFollower,
    sessionId: string,
    afterId: number,
    subscriber: SessionSubscriber,
  ): Promise<{ unsubscribe: () => void; lastEventId: number }> {
    const followed = await follower.followSession(sessionId, afterId, (event, id) => this.deliverTo(subscriber, { id, sessionId, ...event }));
    const set = this.noticeSubscribers.get(sessionId) ?? new Set<SessionSubscriber>();
    this.noticeSubscribers.set(sessionId, set);
    set.add(subscriber);
    const unsubscribe = () => {
      followed.unsubscribe();
      set.delete(subscriber);
      if (set.size === 0 && this.noticeSubscribers.get(sessionId) === set) this.noticeSubscribers.delete(sessionId);
    };
    return { unsubscribe, lastEventId: followed.lastEventId };
  }

  private deliver(channel: Channel, frame: SessionEventFrame | SessionNotice): void {
    for (const subscriber of channel.subscribers) this.deliverTo(subscriber, frame);
  }

  private deliverTo(subscriber: SessionSubscriber, frame: SessionEventFrame | SessionNotice): void {
    try {
      subscriber(frame);
    } catch (error) {
      this.options.logger.warn({ sessionId: frame.sessionId, error: errorMessage(error) }, 'session subscriber failed');
    }
  }

  /** Subscriptions to one session run one after another, so each sees a stable sequence and counter. */
  private async locked<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(sessionId) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => {});
    this.locks.set(sessionId, tail);
    try {
      return await current;
    } finally {
      if (this.locks.get(sessionId) === tail) this.locks.delete(sessionId);
    }
  }
}

/**
 * The session's sequence: stored events, minus those of the executing run(s) stored after the execution began
 * (they are taken from memory instead, where none is missing yet), then the executions' events in order.
 */
function compose(stored: readonly StoredSessionEvent[], before: ExecutionView | undefined, after: ExecutionView | undefined): RunEvent[] {
  const executions = [before, after].filter((execution, index, all): execution is ExecutionView => execution !== undefined && all.indexOf(execution) === index);
  // The same execution seen twice has the same events array; a different one (a resume) is a new view.
  const distinct = executions.filter((execution, index) => executions.findIndex((other) => other.events === execution.events) === index);
  const cutoff = new Map<string, number>();
  for (const execution of distinct) cutoff.set(execution.runId, Math.min(cutoff.get(execution.runId) ?? Infinity, execution.baseSeq));
  const sequence: RunEvent[] = [];
  for (const row of stored) {
    const limit = cutoff.get(row.runId);
    if (limit === undefined || row.seq <= limit) sequence.push(row.event);
  }
  for (const execution of distinct) sequence.push(...execution.events);
  return sequence;
}
