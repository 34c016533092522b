import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunEvent, storedEventJson } from '../contracts/index.js';
import { openStore, type Store } from '../store/database.js';
import { createScratchDatabase, postgresReachable } from '../../test/helpers/postgres.js';
import { EventFeed } from './event-feed.js';
import { StoreFollower } from './store-follower.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('StoreFollower over the event feed (PostgreSQL)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let store: Store;
  let feed: EventFeed;
  let follower: StoreFollower;

  beforeAll(async () => {
    database = await createScratchDatabase();
    store = await openStore({ file: ':memory:', databaseUrl: database.url, seed: false });
    feed = await EventFeed.open({ databaseUrl: database.url });
    follower = new StoreFollower({ db: store.db, feed });
  });
  afterAll(async () => {
    follower?.close();
    await feed?.close();
    await store?.close();
    await database?.drop();
  });

  /** Stores a run (in `sessionId`) and returns a function that stores its next event, as another process would. */
  async function storedRun(runId: string, sessionId: string) {
    await store.db.insertInto('sessions').values({ id: sessionId, title: null, created_at: new Date().toISOString() }).onConflict((conflict) => conflict.doNothing()).execute();
    await store.db.insertInto('runs').values({ id: runId, session_id: sessionId, task: 't', model: 'offline', status: 'running', started_at: new Date().toISOString(), ended_at: null, final_text: null, error: null }).execute();
    let seq = 0;
    return async (text: string) => {
      seq += 1;
      const event: RunEvent = { type: 'text-delta', runId, at: Date.now(), step: 1, text };
      await store.db.insertInto('run_events').values({ run_id: runId, seq, type: event.type, at: event.at, data: storedEventJson(event) }).execute();
    };
  }

  const texts = (events: readonly RunEvent[]) => events.map((event) => (event as { text?: string }).text);

  // Invariant: a follower gets the backlog, then each event stored later, once each and in stored order.
  it('followRun sends the backlog, then live events in order, with no repeat', async () => {
    const write = await storedRun('run-a', 'session-a');
    await write('one');
    await write('two');
    const seen: RunEvent[] = [];
    const { promise: gotFive, resolve } = Promise.withResolvers<void>();
    const unsubscribe = await follower.followRun('run-a', (event) => {
      seen.push(event);
      if (seen.length === 5) resolve();
    });
    expect(texts(seen)).toEqual(['one', 'two']);
    // Written back to back (one after another, as one executor writes): notifications may coalesce into fewer
    // reads, but no event is lost or repeated.
    for (const text of ['three', 'four', 'five']) await write(text);
    await gotFive;
    unsubscribe();
    expect(texts(seen)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  // Invariant: session ids are positions in the stored sequence, so a reconnect with lastEventId gets exactly the rest.
  it('followSession numbers events by stored position and resumes after lastEventId', async () => {
    const first = await storedRun('run-b1', 'session-b');
    await first('b1');
    const second = await storedRun('run-b2', 'session-b');
    await second('b2');
    const frames: Array<[number, string | undefined]> = [];
    const { promise: gotThree, resolve } = Promise.withResolvers<void>();
    const { unsubscribe, lastEventId } = await follower.followSession('session-b', 1, (event, id) => {
      frames.push([id, (event as { text?: string }).text]);
      if (id === 3) resolve();
    });
    expect(lastEventId).toBe(2);
    await second('b3');
    await gotThree;
    unsubscribe();
    expect(frames).toEqual([
      [2, 'b2'],
      [3, 'b3'],
    ]);
  });

  it('waitForRun resolves true once the run has an event, false after the timeout', async () => {
    expect(await follower.waitForRun('run-none', 100)).toBe(false);
    const write = await storedRun('run-c', 'session-c');
    const waiting = follower.waitForRun('run-c', 10_000);
    await write('c1');
    expect(await waiting).toBe(true);
  });
});
