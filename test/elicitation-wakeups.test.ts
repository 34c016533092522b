import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveRun, ActiveRuns } from '../src/agent/active-run.js';
import { ElicitationRouter } from '../src/agent/elicitation.js';
import type { ElicitationSchema } from '../src/agent/elicitation-schema.js';
import { type RunEvent, ZERO_TOTALS } from '../src/contracts/index.js';
import { EventFeed } from '../src/queue/event-feed.js';
import { ApprovalStore } from '../src/store/approval-store.js';
import { openStore, type Store } from '../src/store/database.js';
import { startOpenAIFake } from './fakes/openai-fake.js';
import { cliEnv, freshWorkspace, parseJsonLines, REPO_ROOT, runCli } from './helpers/cli.js';
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

  // Invariant: `deckhand run` executing a run itself on PostgreSQL listens for answers once a server asks (its
  // event feed's connection appears only then), gets the answer given by another process, and exits cleanly.
  it('a CLI run on PostgreSQL listens once asked, and gets the answer given by another process', { timeout: 90_000 }, async () => {
    const scratch = await createScratchDatabase();
    const fake = await startOpenAIFake([
      { text: 'Deploying main.', toolCalls: [{ name: 'ops__deploy', args: { environment: 'production' } }] },
      { text: 'Done.' },
    ]);
    const watcher = new pg.Client({ connectionString: scratch.url });
    await watcher.connect();
    try {
      const { home, cwd } = freshWorkspace();
      const fixture = join(REPO_ROOT, 'test', 'fixtures', 'elicit-sample-server.ts');
      writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false, mcpServers: { ops: { command: process.execPath, args: [fixture], trusted: true } } }));
      const env = cliEnv(home, { DATABASE_URL: scratch.url, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_ACTOR: 'dana' });
      const listening = async () =>
        (await watcher.query<{ count: number }>("select count(*)::int as count from pg_stat_activity where datname = current_database() and application_name = 'deckhand event feed'")).rows[0]!.count;
      // The store is created first, so this test can read its tables while the run executes.
      const created = await runCli(['approvals', 'list', '--json'], { env, cwd, timeoutMs: 30_000 });
      expect(created.code, created.stderr).toBe(0);
      const run = runCli(['run', 'Deploy main to production', '--model', 'openai:gpt-4.1-mini', '--json', '--yes'], { env, cwd, timeoutMs: 60_000 });
      let pending: { id: string } | undefined;
      for (let poll = 0; poll < 600 && !pending; poll++) {
        pending = (await watcher.query<{ id: string }>("select id from approvals where kind = 'elicitation' and status = 'pending'")).rows[0];
        if (!pending) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(pending, 'the server asked').toBeDefined();
      for (let poll = 0; poll < 600 && (await listening()) === 0; poll++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await listening()).toBe(1);
      const decided = await runCli(['approvals', 'approve', pending!.id, '--args', '{"confirm": true}'], { env, cwd, timeoutMs: 30_000 });
      expect({ code: decided.code, stderr: decided.stderr }).toEqual({ code: 0, stderr: '' });
      const result = await run;
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(parseJsonLines(result.stdout).find((event) => event.type === 'tool-result')).toMatchObject({ output: 'deployed to production' });
      expect(await listening()).toBe(0);
    } finally {
      await watcher.end();
      await fake.close();
      await scratch.drop();
    }
  });
});
