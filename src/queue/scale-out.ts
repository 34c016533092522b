/**
 * @module What one process opens to take part in a multi-process Deckhand on PostgreSQL: the queue, the event
 * feed and a store follower over it. SQLite has none of it (one process, runs execute where they start).
 */
import type { Kysely } from 'kysely';
import { UsageError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from '../store/schema.js';
import { EventFeed } from './event-feed.js';
import { RunQueue } from './run-queue.js';
import { StoreFollower } from './store-follower.js';

/** The parts of a scale-out, closed together (follower, then feed, then queue). */
export interface ScaleOutParts extends AsyncDisposable {
  /** The host store's connection the parts read (and a start's session claim is taken on). */
  readonly db: Kysely<Database>;
  readonly queue: RunQueue;
  readonly feed: EventFeed;
  readonly follower: StoreFollower;
  /** `timeoutMs` bounds the wait for job handlers still running. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * The PostgreSQL URL to scale out on; throws `UsageError` naming `what` when the store is SQLite (there is no
 * queue there: runs execute in the process that starts them).
 */
export function requirePostgres(databaseUrl: string | undefined, what: string): string {
  if (databaseUrl) return databaseUrl;
  throw new UsageError(
    `${what} needs the PostgreSQL store: set DATABASE_URL=postgres://USER@host:5432/database on every process. ` +
      'With SQLite (the default) there is no queue: runs execute in the process that starts them.',
  );
}

/** Opens the queue (installing pg-boss's schema if needed), the event feed and a follower. */
export async function openScaleOut(options: {
  databaseUrl: string;
  db: Kysely<Database>;
  role: string;
  logger: Logger;
  /** A process that only enqueues and follows (`run --queue`): no maintenance, not in the instance registry. */
  client?: boolean;
}): Promise<ScaleOutParts> {
  const queue = await RunQueue.open({
    databaseUrl: options.databaseUrl,
    role: options.role,
    logger: options.logger,
    ...(options.client ? { supervise: false, register: false } : {}),
  });
  let feed: EventFeed;
  try {
    feed = await EventFeed.open({ databaseUrl: options.databaseUrl, logger: options.logger });
  } catch (error) {
    await queue.close();
    throw error;
  }
  const follower = new StoreFollower({ db: options.db, feed, logger: options.logger });
  const close = async (closeOptions: { timeoutMs?: number } = {}) => {
    follower.close();
    await feed.close();
    await queue.close(closeOptions);
  };
  return { db: options.db, queue, feed, follower, close, [Symbol.asyncDispose]: () => close() };
}
