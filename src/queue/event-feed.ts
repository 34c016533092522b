/**
 * @module Run events across processes with PostgreSQL LISTEN/NOTIFY. A trigger on `run_events` notifies every
 * stored event (its run id, session id and seq, never the event itself: followers read events from the store,
 * so what a notification says can be late or lost without anything being shown out of order or twice). A trigger
 * on `approvals` likewise announces each approval that leaves `pending`, whoever decided it (an API on any
 * process, the CLI). One dedicated connection per process listens; it reconnects after a drop and tells
 * followers to catch up.
 */
import pg from 'pg';
import { z } from 'zod';
import { delay } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';

/** The channel every stored run event is announced on. */
export const RUN_EVENTS_CHANNEL = 'deckhand_run_events';
/** The channel requests to a run's executor go on (cancel). */
export const RUN_CONTROL_CHANNEL = 'deckhand_run_control';
/** The channel every decided approval is announced on (by whichever process or command decided it). */
export const APPROVAL_CHANNEL = 'deckhand_approvals';

/** The trigger, installed idempotently by every process that opens a feed (under a lock: replicas start at once). */
const INSTALL_TRIGGER = `
create or replace function deckhand_notify_run_event() returns trigger language plpgsql as $$
begin
  perform pg_notify('${RUN_EVENTS_CHANNEL}', json_build_object(
    'runId', NEW.run_id, 'sessionId', (select session_id from runs where id = NEW.run_id), 'seq', NEW.seq)::text);
  return NEW;
end $$;
create or replace trigger deckhand_run_events_notify after insert on run_events
  for each row execute function deckhand_notify_run_event();
create or replace function deckhand_notify_approval() returns trigger language plpgsql as $$
begin
  perform pg_notify('${APPROVAL_CHANNEL}', json_build_object(
    'approvalId', NEW.id, 'runId', NEW.run_id, 'sessionId', NEW.session_id, 'status', NEW.status)::text);
  return NEW;
end $$;
create or replace trigger deckhand_approvals_notify after update of status on approvals
  for each row when (OLD.status = 'pending' and NEW.status <> 'pending') execute function deckhand_notify_approval();`;
/** Any constant: the advisory lock the trigger is installed under. */
const INSTALL_LOCK = 815_015;

const RunEventNoticeSchema = z.object({ runId: z.string(), sessionId: z.string().nullable(), seq: z.number().int() });
const ControlSchema = z.object({ type: z.literal('cancel'), runId: z.string() });
const ApprovalNoticeSchema = z.object({ approvalId: z.string(), runId: z.string(), sessionId: z.string(), status: z.string() });

/** A stored run event, as announced. */
export type RunEventNotice = z.infer<typeof RunEventNoticeSchema>;
/** An approval decided (or expired) anywhere, as announced: read the approval itself from the store. */
export type ApprovalNotice = z.infer<typeof ApprovalNoticeSchema>;

type Listener<T> = (value: T) => void;

/** What an {@link EventFeed} opens with. */
export interface EventFeedOptions {
  readonly databaseUrl: string;
  readonly logger?: Logger;
  /** First wait before reconnecting after the connection drops; doubled up to 5 s. Default 100 ms. */
  readonly reconnectMs?: number;
}

/**
 * Hears of every run event stored by any process on the database, and of control requests. Listeners are
 * called synchronously in the order notifications arrive. Implements `Symbol.asyncDispose`.
 */
export class EventFeed implements AsyncDisposable {
  private client: pg.Client | undefined;
  private readonly eventListeners = new Set<Listener<RunEventNotice>>();
  private readonly controlListeners = new Set<Listener<{ type: 'cancel'; runId: string }>>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly approvalListeners = new Set<Listener<ApprovalNotice>>();
  private closed = false;

  private constructor(private readonly options: EventFeedOptions) {}

  /** Installs the trigger and starts listening; throws when the database cannot be reached. */
  static async open(options: EventFeedOptions): Promise<EventFeed> {
    const feed = new EventFeed(options);
    await installTrigger(options.databaseUrl);
    await feed.connect();
    return feed;
  }

  /** Calls `listener` for each stored run event of any process; returns the unsubscribe. */
  onRunEvent(listener: Listener<RunEventNotice>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Calls `listener` for each cancel request; returns the unsubscribe. */
  onControl(listener: Listener<{ type: 'cancel'; runId: string }>): () => void {
    this.controlListeners.add(listener);
    return () => this.controlListeners.delete(listener);
  }

  /** Calls `listener` for each approval that leaves `pending`, on any process; returns the unsubscribe. */
  onApprovalResolved(listener: Listener<ApprovalNotice>): () => void {
    this.approvalListeners.add(listener);
    return () => this.approvalListeners.delete(listener);
  }

  /** Calls `listener` after a reconnect, when notifications may have been missed; returns the unsubscribe. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** Asks whichever process executes the run to cancel it. */
  async requestCancel(runId: string): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('The event feed is not connected to PostgreSQL; try again in a moment.');
    await client.query('select pg_notify($1, $2)', [RUN_CONTROL_CHANNEL, JSON.stringify({ type: 'cancel', runId })]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'deckhand event feed' });
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    const dropped = (error?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      if (!this.closed) void this.reconnect(error);
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    await client.connect();
    await client.query(`listen ${RUN_EVENTS_CHANNEL}`);
    await client.query(`listen ${RUN_CONTROL_CHANNEL}`);
    await client.query(`listen ${APPROVAL_CHANNEL}`);
    this.client = client;
  }

  private async reconnect(error: unknown): Promise<void> {
    const logger = this.options.logger ?? noopLogger;
    logger.warn({ error: error === undefined ? 'connection ended' : errorMessage(error) }, 'event feed lost its connection; reconnecting');
    let wait = this.options.reconnectMs ?? 100;
    while (!this.closed) {
      await delay(wait);
      try {
        await this.connect();
        for (const listener of this.resyncListeners) listener();
        return;
      } catch (retryError) {
        logger.warn({ error: errorMessage(retryError) }, 'event feed reconnect failed');
        wait = Math.min(wait * 2, 5_000);
      }
    }
  }

  private dispatch(channel: string, payload: string | undefined): void {
    let value: unknown;
    try {
      value = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (channel === RUN_EVENTS_CHANNEL) {
      const parsed = RunEventNoticeSchema.safeParse(value);
      if (parsed.success) for (const listener of this.eventListeners) listener(parsed.data);
    } else if (channel === RUN_CONTROL_CHANNEL) {
      const parsed = ControlSchema.safeParse(value);
      if (parsed.success) for (const listener of this.controlListeners) listener(parsed.data);
    } else if (channel === APPROVAL_CHANNEL) {
      const parsed = ApprovalNoticeSchema.safeParse(value);
      if (parsed.success) for (const listener of this.approvalListeners) listener(parsed.data);
    }
  }
}

async function installTrigger(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1)', [INSTALL_LOCK]);
    await client.query(INSTALL_TRIGGER);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
