/**
 * ApprovalStore in-process on `:memory:` SQLite: exactly one decision wins, decisions fit their kind, expiry,
 * grants, and every decision in the audit log (the cross-process race stays in test/approvals.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoredDataError } from '../shared/errors.js';
import { ApprovalStore, type NewApproval, storedArgs } from './approval-store.js';
import { verifyAudit } from './audit-log.js';
import { insertRun } from './run-store.js';
import { openStore, type Store } from './database.js';

let store: Store;
let approvals: ApprovalStore;
const now = new Date('2026-11-20T10:00:00.000Z');

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: false });
  // Approvals belong to a run of a session (foreign keys).
  for (const [runId, sessionId] of [['run-1', 'session-1'], ['run-2', 'session-2']] as const) {
    await store.db.insertInto('sessions').values({ id: sessionId, title: 'test', created_at: '2026-11-20T09:00:00.000Z' }).execute();
    await insertRun(store.db, { id: runId, sessionId, task: 'refund', model: 'offline', startedAt: '2026-11-20T09:00:00.000Z', settings: { model: 'offline', yes: false } });
  }
  approvals = new ApprovalStore(store.db);
});
afterEach(async () => {
  await store.close();
});

function approval(overrides: Partial<NewApproval> = {}): NewApproval {
  return {
    runId: 'run-1',
    sessionId: 'session-1',
    step: 1,
    toolCallId: 'call-1',
    kind: 'approval',
    server: 'orders',
    tool: 'refund_order',
    args: { order_id: 'XYZ-789', amount: 25 },
    reason: 'refunding',
    risk: 'high',
    because: 'destructive tool',
    expiresAt: new Date('2026-11-20T11:00:00.000Z'),
    ...overrides,
  };
}

describe('ApprovalStore', () => {
  it('creates once per tool call', async () => {
    const first = await approvals.create(approval());
    const again = await approvals.create(approval());
    expect(again.id).toBe(first.id);
    expect(await approvals.list()).toHaveLength(1);
  });

  // Invariant: of concurrent decisions on one approval, exactly one wins; the others change nothing.
  it('exactly one of many concurrent decisions wins', async () => {
    const { id } = await approvals.create(approval());
    const results = await Promise.all(
      ['ana', 'ben', 'cy', 'dee'].map((by, index) => approvals.resolve(id, { decision: index % 2 ? 'deny' : 'approve', by }, now)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.reason)).toEqual(['already-resolved', 'already-resolved', 'already-resolved']);
    const winner = results.find((result) => result.ok)!;
    expect((await approvals.get(id))?.resolved_by).toBe(winner.approval.resolved_by);
    const audit = await store.db.selectFrom('audit_log').select('action').execute();
    expect(audit.map((row) => row.action)).toEqual(['approval-requested', winner.approval.status]);
    expect((await verifyAudit(store.db)).ok).toBe(true);
  });

  it('refuses a decision of the wrong kind, an unknown id, and one past expiry (which it marks expired)', async () => {
    const { id } = await approvals.create(approval());
    expect(await approvals.resolve(id, { decision: 'answer', by: 'ana', note: 'x' }, now)).toMatchObject({ ok: false, reason: 'wrong-kind' });
    expect(await approvals.resolve('AP-nope', { decision: 'approve', by: 'ana' }, now)).toEqual({ ok: false, reason: 'not-found' });
    const late = new Date('2026-11-20T12:00:00.000Z');
    expect(await approvals.resolve(id, { decision: 'approve', by: 'ana' }, late)).toMatchObject({ ok: false, reason: 'expired', approval: { status: 'expired' } });
  });

  it('a session-scoped approval grants the tool for the session; an elicitation never grants', async () => {
    const { id } = await approvals.create(approval());
    await approvals.resolve(id, { decision: 'approve', by: 'ana', scope: 'session' }, now);
    expect(await approvals.hasGrant('session-1', 'orders', 'refund_order')).toBe(true);
    const asked = await approvals.create(approval({ toolCallId: 'elicit-1', kind: 'elicitation', server: 'devops', tool: 'deploy' }));
    await approvals.resolve(asked.id, { decision: 'approve', by: 'ana', scope: 'session' }, now);
    expect(await approvals.hasGrant('session-1', 'devops', 'deploy')).toBe(false);
  });

  it('lists by status, run and session', async () => {
    await approvals.create(approval());
    await approvals.create(approval({ runId: 'run-2', sessionId: 'session-2', toolCallId: 'call-2' }));
    expect((await approvals.list({ runId: 'run-2' })).map((row) => row.run_id)).toEqual(['run-2']);
    expect((await approvals.list({ sessionId: 'session-1' })).map((row) => row.session_id)).toEqual(['session-1']);
    expect(await approvals.list({ status: 'approved' })).toEqual([]);
  });

  it('parses stored arguments; a damaged column names the run and the approval', () => {
    expect(storedArgs({ id: 'AP-1', run_id: 'run-1' }, 'args', '{"amount":25}')).toEqual({ amount: 25 });
    expect(() => storedArgs({ id: 'AP-1', run_id: 'run-1' }, 'edited_args', '[1]')).toThrow(StoredDataError);
    expect(() => storedArgs({ id: 'AP-1', run_id: 'run-1' }, 'args', '{oops')).toThrow('Run run-1: its stored approval AP-1 args cannot be read: it is not JSON.');
  });
});
