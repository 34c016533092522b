import { describe, expect, it } from 'vitest';
import type { Model } from '../models/types.js';
import { ApprovalStore } from '../store/approval-store.js';
import { openStore, type Store } from '../store/database.js';
import { ActiveRun, ActiveRuns } from './active-run.js';
import { type ElicitationQuestion, ElicitationRouter } from './elicitation.js';
import { checkContent, type ElicitationSchema, parseAnswer } from './elicitation-schema.js';
import { type RunEvent, ZERO_TOTALS } from '../contracts/index.js';

const CONFIRM = {
  type: 'object',
  properties: { confirm: { type: 'boolean', default: false } },
  required: ['confirm'],
} as ElicitationSchema;

const NO_MODEL: Model = {
  id: 'offline',
  provider: 'offline',
  modelName: 'offline',
  async *stream() {},
};

/** A store with one running run (approvals reference it), the run registered as active, and its events. */
/** The pending approvals, once there is one: the question the call under test stores as it starts to wait. */
async function pendingOnce(approvals: ApprovalStore): Promise<Awaited<ReturnType<ApprovalStore['list']>>> {
  for (;;) {
    const pending = await approvals.list();
    if (pending.length > 0) return pending;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function withRun(): Promise<{ store: Store; runs: ActiveRuns; events: RunEvent[]; finish: () => Promise<void> }> {
  const store = await openStore({ file: ':memory:', seed: false });
  const at = new Date().toISOString();
  await store.db.insertInto('sessions').values({ id: 'S-1', title: 'deploy', created_at: at }).execute();
  await store.db
    .insertInto('runs')
    .values({
      id: 'R-1',
      session_id: 'S-1',
      task: 'deploy',
      model: 'offline',
      status: 'running',
      started_at: at,
      ended_at: null,
      final_text: null,
      error: null,
      options: '{}',
    })
    .execute();
  const runs = new ActiveRuns();
  const run = new ActiveRun({ runId: 'R-1', sessionId: 'S-1', model: NO_MODEL, budgetUsd: null }, ZERO_TOTALS);
  const attached = runs.attach(run);
  // A loop that stays in its tool call until the test is done, so the router's events flow through `track`.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  async function* loop(): AsyncGenerator<RunEvent, 'finished'> {
    yield {
      type: 'tool-call',
      runId: 'R-1',
      at: 0,
      step: 1,
      toolCallId: 'call_1',
      server: 'ops',
      tool: 'deploy',
      args: {},
    };
    await held;
    return 'finished';
  }
  const events: RunEvent[] = [];
  const tracking = (async () => {
    for await (const event of run.track(loop())) events.push(event);
  })();
  await new Promise((resolve) => setImmediate(resolve)); // the call is announced (in flight) before it asks
  const finish = async () => {
    release();
    await tracking;
    attached[Symbol.dispose]();
    await store.close();
  };
  return { store, runs, events, finish };
}

describe('ElicitationRouter.usePrompt', () => {
  it('asks at the terminal, records the answer as the decision, and emits request and response', async () => {
    const { store, runs, events, finish } = await withRun();
    try {
      const router = new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs });
      const questions: ElicitationQuestion[] = [];
      using _prompt = router.usePrompt(async (question) => {
        questions.push(question);
        return { action: 'accept', content: { confirm: true }, by: 'tester' };
      });
      const result = await router.handle(
        { mode: 'form', message: 'Deploy to production?', requestedSchema: CONFIRM },
        { server: 'ops', signal: new AbortController().signal },
      );
      expect(result).toEqual({ action: 'accept', content: { confirm: true } });
      expect(questions).toMatchObject([{ server: 'ops', tool: 'deploy', message: 'Deploy to production?' }]);
      const rows = await new ApprovalStore(store.db).list({ status: 'all' });
      expect(rows).toMatchObject([
        { kind: 'elicitation', server: 'ops', tool: 'deploy', status: 'approved', resolved_by: 'tester' },
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(events.filter((event) => event.type.startsWith('approval-'))).toMatchObject([
        { type: 'approval-request', kind: 'elicitation', toolCallId: 'call_1', approvalId: rows[0]?.id },
        { type: 'approval-response', decision: 'approved', by: 'tester', approvalId: rows[0]?.id },
      ]);
    } finally {
      await finish();
    }
  });

  it('lets a decision made elsewhere win over the terminal, and stops asking there', async () => {
    const { store, runs, finish } = await withRun();
    try {
      const approvals = new ApprovalStore(store.db);
      const router = new ElicitationRouter({ approvals, runs, pollIntervalMs: 10 });
      let promptAborted = false;
      using _prompt = router.usePrompt(async (question, signal) => {
        // Someone at another terminal denies it while this prompt is open.
        await approvals.resolve(question.approvalId, { decision: 'deny', by: 'elsewhere' });
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            promptAborted = true;
            reject(signal.reason);
          }),
        );
      });
      const result = await router.handle(
        { mode: 'form', message: 'Deploy to production?', requestedSchema: CONFIRM },
        { server: 'ops', signal: new AbortController().signal },
      );
      expect(result).toEqual({ action: 'decline' });
      expect(promptAborted).toBe(true);
    } finally {
      await finish();
    }
  });
});

// Invariant: a decision made in this process (another ApprovalStore on the same connection: the API of this
// serve) wakes the waiting call at once, not at the next poll; the poll here is longer than the test may run.
describe('ElicitationRouter: a decision made in this process', () => {
  it('wakes the waiting call at once, without waiting for the poll', { timeout: 10_000 }, async () => {
    const { store, runs, finish } = await withRun();
    try {
      const router = new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs, pollIntervalMs: 600_000 });
      const answered = router.handle(
        { mode: 'form', message: 'Deploy to production?', requestedSchema: CONFIRM },
        { server: 'ops', signal: new AbortController().signal },
      );
      const decider = new ApprovalStore(store.db);
      const pending = await pendingOnce(decider);
      await decider.resolve(pending[0]!.id, { decision: 'approve', by: 'api', editedArgs: { confirm: true } });
      expect(await answered).toEqual({ action: 'accept', content: { confirm: true } });
    } finally {
      await finish();
    }
  });
});

// Invariant: announcements are opened only once a question waits (a CLI run that never asks opens nothing), and
// an answer given while they were being opened, announced to no one, is still read at once when they open.
describe('ElicitationRouter.listenWhenAsked', () => {
  it('opens the announcements when asked, and reads an answer given while they opened', { timeout: 10_000 }, async () => {
    const { store, runs, finish } = await withRun();
    try {
      const router = new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs, pollIntervalMs: 600_000, backstopPollIntervalMs: 600_000 });
      const opening = Promise.withResolvers<void>();
      let opened = 0;
      let closed = 0;
      await using _answers = router.listenWhenAsked(async () => {
        opened += 1;
        await opening.promise;
        return { onApprovalResolved: () => () => {}, [Symbol.asyncDispose]: async () => void (closed += 1) };
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(opened).toBe(0);
      const answered = router.handle(
        { mode: 'form', message: 'Deploy to production?', requestedSchema: CONFIRM },
        { server: 'ops', signal: new AbortController().signal },
      );
      const pending = await pendingOnce(new ApprovalStore(store.db));
      // Decided on another process (written to the store, not through this one's ApprovalStore), before this
      // process listens: no announcement reaches it.
      await store.db
        .updateTable('approvals')
        .set({ status: 'approved', resolved_by: 'elsewhere', resolved_at: new Date().toISOString(), edited_args: '{"confirm":true}' })
        .where('id', '=', pending[0]!.id)
        .execute();
      opening.resolve();
      expect(await answered).toEqual({ action: 'accept', content: { confirm: true } });
      expect(opened).toBe(1);
      expect(closed).toBe(0);
    } finally {
      await finish();
    }
  });
});

describe('checkContent / parseAnswer', () => {
  const schema = {
    type: 'object',
    properties: {
      confirm: { type: 'boolean', default: false },
      replicas: { type: 'integer', minimum: 1, maximum: 5 },
      region: { type: 'string', enum: ['eu', 'us'] },
    },
    required: ['confirm', 'replicas'],
  } as ElicitationSchema;

  it('fills defaults and accepts content that fits the form', () => {
    expect(checkContent(schema, { replicas: 2 })).toEqual({ success: true, content: { confirm: false, replicas: 2 } });
  });

  it.each([
    [{ confirm: true }, "'replicas' is required"],
    [{ replicas: 9 }, "'replicas' must be at most 5"],
    [{ replicas: 1.5 }, "'replicas' must be a whole number"],
    [{ replicas: 2, region: 'asia' }, "'region' must be one of eu, us"],
    [{ replicas: 2, colour: 'red' }, "the form has no field 'colour'"],
  ])('refuses %j: %s', (content, error) => {
    expect(checkContent(schema, content)).toEqual({ success: false, error: expect.stringContaining(error) });
  });

  it('reads a text answer as JSON, or as the value of the only field', () => {
    expect(parseAnswer(schema, '{"replicas": 3, "region": "eu"}')).toEqual({
      success: true,
      content: { confirm: false, replicas: 3, region: 'eu' },
    });
    expect(parseAnswer(schema, 'three')).toMatchObject({ success: false });
    const single = {
      type: 'object',
      properties: { confirm: { type: 'boolean' } },
      required: ['confirm'],
    } as ElicitationSchema;
    expect(parseAnswer(single, 'yes')).toEqual({ success: true, content: { confirm: true } });
  });
});
