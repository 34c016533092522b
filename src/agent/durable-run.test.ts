import type { HintedToolExecutor, RunEvent } from '../contracts/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalConfigSchema } from '../config/schema.js';
import { ScriptedModel, toolCall } from '../models/testing/scripted-model.js';
import { openStore, type Store } from '../store/database.js';
import { RunNotResumableError, RunStore } from '../store/run-store.js';
import { claimSession, SessionBusyError } from '../store/session-claim.js';
import { resumeRun, startRun } from './durable-run.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A host whose tool annotations cannot be read: the policy gate throws while clearing the call. */
const brokenHost: HintedToolExecutor = {
  specs: () => [{ name: 'crm__get_customer', description: 'Get a customer', inputSchema: { type: 'object' } }],
  address: (name) => (name === 'crm__get_customer' ? { server: 'crm', tool: 'get_customer' } : undefined),
  hints: () => {
    throw new Error('annotations unreadable');
  },
  call: async () => ({ isError: false, text: 'never' }),
};

// Invariant: whatever escapes the loop, the run ends `failed` with its reason, in the events and the runs row; never `running`.
describe('startRun: an exception escaping the loop', () => {
  it('ends the run as failed with the reason, recorded', async () => {
    store = await openStore({ file: ':memory:', seed: false });
    const model = new ScriptedModel([{ toolCalls: [toolCall('crm__get_customer', { customer_id: 'C-1001' })] }]);
    const events: RunEvent[] = [];
    const run = startRun(
      { store, model, tools: brokenHost, approval: ApprovalConfigSchema.parse({}), isTrusted: () => true },
      { task: 'look up C-1001', runId: 'run-escape', settings: { model: model.id, yes: false } },
    );
    for await (const event of run) events.push(event);
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'run-end', outcome: 'failed' });
    expect(end?.type === 'run-end' ? end.error : '').toContain('annotations unreadable');
    const row = await store.db.selectFrom('runs').select(['status', 'error']).where('id', '=', 'run-escape').executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.error).toContain('annotations unreadable');
    const stored = await store.db.selectFrom('run_events').select('type').where('run_id', '=', 'run-escape').orderBy('seq').execute();
    expect(stored.map((event) => event.type)).toEqual(events.map((event) => event.type));
  });
});

/** A one-step run started and finished on a fresh in-memory store, and the context it ran with. */
async function finishedRun(runId: string) {
  const opened = await openStore({ file: ':memory:', seed: false });
  store = opened;
  const model = new ScriptedModel([{ text: 'Done.' }]);
  const context = { store: opened, model, tools: brokenHost, approval: ApprovalConfigSchema.parse({}), isTrusted: () => true };
  for await (const event of startRun(context, { task: 'say done', runId, settings: { model: model.id, yes: false } })) void event;
  return { store: opened, context, runs: new RunStore(opened.db) };
}

// Invariant: a resume that takes the lease after another process finished the run executes nothing.
describe('resumeRun: the run finished while this process waited for its lease', () => {
  it('is refused with RunNotResumableError after taking the lease, and nothing is recorded', async () => {
    const { store, context, runs } = await finishedRun('run-raced');
    const finished = await runs.load('run-raced');
    expect(finished.status).toBe('finished');
    const eventsBefore = (await runs.events('run-raced')).length;
    // What this process loaded before the other one finished: the run as still interrupted.
    const stale = { ...finished, status: 'running' as const };
    const resumed = resumeRun(context, stale, stale.settings);
    await expect(resumed.next()).rejects.toThrow(RunNotResumableError);
    expect((await runs.events('run-raced')).length).toBe(eventsBefore);
    expect((await runs.load('run-raced')).status).toBe('finished');
    expect(await store.db.selectFrom('run_leases').selectAll().execute()).toEqual([]);
  });
});

// Invariant: a resume refused its session (a newer run of it executes) records nothing and leaves the run as it
// was, interrupted and still to be resumed: never a `failed` end for having found the session busy.
describe('resumeRun: another run holds the session', () => {
  it('throws SessionBusyError naming the holder, and the run stays interrupted with no new event', async () => {
    const { store, context, runs } = await finishedRun('run-interrupted');
    const ran = await runs.load('run-interrupted');
    // As a process killed mid-run leaves it: still `running`; then a newer run takes the session.
    await store.db.updateTable('runs').set({ status: 'running', ended_at: null }).where('id', '=', ran.id).execute();
    await claimSession(store.db, { sessionId: ran.sessionId, runId: 'run-newer', holdMs: 60_000 });
    const eventsBefore = (await runs.events(ran.id)).length;
    const interrupted = await runs.load(ran.id);

    const resumed = resumeRun(context, interrupted, interrupted.settings);
    await expect(resumed.next()).rejects.toThrow(new SessionBusyError(ran.sessionId, 'run-newer'));
    expect((await runs.events(ran.id)).length).toBe(eventsBefore);
    expect((await runs.load(ran.id)).status).toBe('running');
  });
});
