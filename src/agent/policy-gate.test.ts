/**
 * PolicyGate in-process, over a real ApprovalStore on `:memory:` SQLite: what the gate answers for a tool call
 * before any process boundary (the cross-process proofs stay in test/approvals.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../store/approval-store.js';
import { insertRun } from '../store/run-store.js';
import { openStore, type Store } from '../store/database.js';
import { PolicyGate, type PolicyGateOptions } from './policy-gate.js';
import type { GateRequest } from './tool-gate.js';

const DESTRUCTIVE = { readOnlyHint: false, destructiveHint: true };
const READ_ONLY = { readOnlyHint: true };

let store: Store;
let approvals: ApprovalStore;
let clock: Date;

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: false });
  // Approvals belong to a run of a session (foreign keys).
  for (const [runId, sessionId] of [['run-1', 'session-1'], ['run-2', 'session-2']] as const) {
    await store.db.insertInto('sessions').values({ id: sessionId, title: 'test', created_at: '2026-11-20T09:00:00.000Z' }).execute();
    await insertRun(store.db, { id: runId, sessionId, task: 'refund', model: 'offline', startedAt: '2026-11-20T09:00:00.000Z', settings: { model: 'offline', yes: false } });
  }
  approvals = new ApprovalStore(store.db);
  clock = new Date('2026-11-20T10:00:00.000Z');
});
afterEach(async () => {
  await store.close();
});

function gate(options: Partial<PolicyGateOptions> = {}): PolicyGate {
  return new PolicyGate({
    approvals,
    rules: [],
    yes: false,
    isTrusted: () => true,
    hints: (name) => (name.endsWith('refund_order') ? DESTRUCTIVE : READ_ONLY),
    expiresAfterHours: 1,
    now: () => clock,
    ...options,
  });
}

function call(tool: string, overrides: Partial<GateRequest> = {}): GateRequest {
  const [server, name] = tool.split('.') as [string, string];
  return {
    runId: 'run-1',
    sessionId: 'session-1',
    step: 1,
    toolCallId: `call-${name}`,
    modelToolName: `${server}__${name}`,
    server,
    tool: name,
    args: { order_id: 'XYZ-789', amount: 25 },
    reason: 'refunding the late order',
    ...overrides,
  };
}

describe('PolicyGate.check', () => {
  it('allows a trusted read-only call without asking or recording anything', async () => {
    expect(await gate().check(call('crm.getCustomerEmail'))).toEqual({ type: 'allow' });
    expect(await approvals.list({ status: 'all' })).toEqual([]);
  });

  it('asks for a destructive call: one pending approval, and asking again for the same call returns it', async () => {
    const first = await gate().check(call('orders.refund_order'));
    expect(first).toMatchObject({ type: 'ask', kind: 'approval', risk: 'high', expiresAt: '2026-11-20T11:00:00.000Z' });
    const again = await gate().check(call('orders.refund_order'));
    expect(again).toEqual(first);
    expect(await approvals.list()).toHaveLength(1);
  });

  it('lets the run store its staged step before it writes anything about the call, and only then', async () => {
    // What beforeWrite saw: the approvals and audit rows already there when the gate was about to write.
    const seen: number[] = [];
    const rows = async () => (await approvals.list({ status: 'all' })).length + (await store.db.selectFrom('audit_log').selectAll().execute()).length;
    const beforeWrite = async () => {
      seen.push(await rows());
    };
    await gate({ beforeWrite }).check(call('crm.getCustomerEmail'));
    expect(seen).toEqual([]);
    await gate({ beforeWrite }).check(call('orders.refund_order'));
    await gate({ beforeWrite, yes: true }).check(call('orders.refund_order', { toolCallId: 'call-2' }));
    await gate({ beforeWrite, rules: [{ tool: 'orders.*', decision: 'deny', reason: 'no refunds today' }] }).check(call('orders.refund_order', { toolCallId: 'call-3' }));
    // Asking stores the approval and its audit entry; --yes and the deny rule one audit entry each.
    expect(seen).toEqual([0, 2, 3]);
    expect(await rows()).toBe(4);
  });

  it('--yes approves what would ask, and says so', async () => {
    expect(await gate({ yes: true }).check(call('orders.refund_order'))).toEqual({
      type: 'allow',
      resolution: { decision: 'approved', by: '--yes', approvalId: null },
    });
  });

  it('a deny rule wins over --yes', async () => {
    const result = await gate({ yes: true, rules: [{ tool: 'orders.*', decision: 'deny', reason: 'no refunds today' }] }).check(call('orders.refund_order'));
    expect(result).toMatchObject({ type: 'deny', resolution: { decision: 'denied', by: 'policy' } });
  });

  it('runs an approved call with the arguments a person edited', async () => {
    const asked = await gate().check(call('orders.refund_order'));
    if (asked.type !== 'ask') throw new Error('expected ask');
    await approvals.resolve(asked.approvalId, { decision: 'approve', by: 'sam', editedArgs: { order_id: 'XYZ-789', amount: 20 } }, clock);
    expect(await gate().check(call('orders.refund_order'))).toEqual({
      type: 'allow',
      args: { order_id: 'XYZ-789', amount: 20 },
      resolution: { decision: 'approved', by: 'sam', approvalId: asked.approvalId },
    });
  });

  it('tells the model a person denied it, with their note', async () => {
    const asked = await gate().check(call('orders.refund_order'));
    if (asked.type !== 'ask') throw new Error('expected ask');
    await approvals.resolve(asked.approvalId, { decision: 'deny', by: 'sam', note: 'already refunded' }, clock);
    const result = await gate().check(call('orders.refund_order'));
    expect(result).toMatchObject({ type: 'deny', resolution: { decision: 'denied', by: 'sam', note: 'already refunded' } });
    expect(result.type === 'deny' && result.message).toContain('"already refunded"');
  });

  it('expires a pending approval past its time and does not run the call', async () => {
    await gate().check(call('orders.refund_order'));
    clock = new Date('2026-11-20T12:00:00.000Z');
    expect(await gate().check(call('orders.refund_order'))).toMatchObject({ type: 'deny', resolution: { decision: 'expired' } });
    expect((await approvals.list({ status: 'all' }))[0]?.status).toBe('expired');
  });

  it("a session grant approves the tool's later calls in the session", async () => {
    const asked = await gate().check(call('orders.refund_order'));
    if (asked.type !== 'ask') throw new Error('expected ask');
    await approvals.resolve(asked.approvalId, { decision: 'approve', by: 'sam', scope: 'session' }, clock);
    expect(await gate().check(call('orders.refund_order', { toolCallId: 'call-later' }))).toEqual({
      type: 'allow',
      resolution: { decision: 'approved', by: 'session grant', approvalId: null },
    });
  });

  it('ask_user becomes a question, answered with the answer as the tool result', async () => {
    const asked = await gate().check(call('deckhand.ask_user', { args: { question: 'Which order?' } }));
    expect(asked).toMatchObject({ type: 'ask', kind: 'question', risk: 'low' });
    if (asked.type !== 'ask') throw new Error('expected ask');
    await approvals.resolve(asked.approvalId, { decision: 'answer', by: 'sam', note: 'XYZ-790' }, clock);
    expect(await gate().check(call('deckhand.ask_user', { args: { question: 'Which order?' } }))).toMatchObject({ type: 'result', text: 'XYZ-790' });
  });
});
