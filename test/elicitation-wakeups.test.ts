import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveRun, ActiveRuns } from '../src/agent/active-run.js';
import { ElicitationRouter } from '../src/agent/elicitation.js';
import type { ElicitationSchema } from '../src/agent/elicitation-schema.js';
import { type RunEvent, ZERO_TOTALS } from '../src/contracts/index.js';
import { EventFeed } from '../src/queue/event-feed.js';
import { ApprovalStore } from '../src/store/approval-store.js';
import { openStore, type Store } from '../src/store/database.js';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';
import { createScratchDatabase, postgresReachable } from './helpers/postgres.js';

// A server's question mid-call on PostgreSQL (issue 15): the call waits in one process (this one, A: its own store
// and event feed, as a `deckhand serve` or `deckhand worker` has), the answer is given by another (B, a real
// `deckhand approvals approve` process), and the LISTEN/NOTIFY announcement wakes the waiting call.

const reachable = await postgresReachable();
const CONFIRM = { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] } as ElicitationSchema;

describe.skipIf(!reachable)('an elicitation answered on another process (PostgreSQL)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let store: Store;
  let feed: EventFeed;
  beforeAll(async () => {
    database = await createScratchDatabase();
    store = await openStore({ file: ':memory:', databaseUrl: database.url, seed: false });
    feed = await EventFeed.open({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await feed?.close();
    await store?.close();
    await database?.drop();
  });

  // Invariant: the answer reaches the waiting call through the announcement; the store is polled here only every
  // ten minutes (the backstop), longer than the test may run, so only the NOTIFY can have woken it.
  it('wakes the call waiting on A as soon as B approves it with the answer', { timeout: 60_000 }, async () => {
    const at = new Date().toISOString();
    await store.db.insertInto('sessions').values({ id: 'S-1', title: 'deploy', created_at: at }).execute();
    await store.db
      .insertInto('runs')
      .values({ id: 'R-1', session_id: 'S-1', task: 'deploy', model: 'offline', status: 'running', started_at: at, ended_at: null, final_text: null, error: null, options: '{}' })
      .execute();
    const runs = new ActiveRuns();
    const run = new ActiveRun({ runId: 'R-1', sessionId: 'S-1', model: { id: 'offline', provider: 'offline', modelName: 'offline', async *stream() {} }, budgetUsd: null }, ZERO_TOTALS);
    using _attached = runs.attach(run);
    const router = new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs, backstopPollIntervalMs: 600_000 });
    using _listening = router.listenTo(feed);
    // The run's loop stays in its tool call while the server asks, as a real one does.
    const { promise: held, resolve: release } = Promise.withResolvers<void>();
    async function* loop(): AsyncGenerator<RunEvent, 'finished'> {
      yield { type: 'tool-call', runId: 'R-1', at: 0, step: 1, toolCallId: 'call_1', server: 'ops', tool: 'deploy', args: {} };
      await held;
      return 'finished';
    }
    const tracking = (async () => {
      for await (const event of run.track(loop())) void event;
    })();
    await new Promise((resolve) => setImmediate(resolve));

    const answered = router.handle({ mode: 'form', message: 'Deploy to production?', requestedSchema: CONFIRM }, { server: 'ops', signal: new AbortController().signal });
    const approvals = new ApprovalStore(store.db);
    let pending = await approvals.list();
    while (pending.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending = await approvals.list();
    }
    const { home, cwd } = freshWorkspace();
    const decided = await runCli(['approvals', 'approve', pending[0]!.id, '--args', '{"confirm": true}'], {
      env: cliEnv(home, { DATABASE_URL: database.url, DECKHAND_MODEL: 'offline', DECKHAND_ACTOR: 'dana' }),
      cwd,
      timeoutMs: 30_000,
    });
    expect({ code: decided.code, stderr: decided.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await answered).toEqual({ action: 'accept', content: { confirm: true } });
    expect(await approvals.get(pending[0]!.id)).toMatchObject({ status: 'approved', resolved_by: 'dana' });
    release();
    await tracking;
  });
});
