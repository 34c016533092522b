import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, sentToolResults, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

// Durable approvals across processes: a run pauses on a side effect, the process exits, another process
// decides, a third resumes, and the side effect happens exactly once.

const LEDGER_SERVER = fileURLToPath(new URL('./fixtures/ledger-server.ts', import.meta.url));
const NOTE_TASK = 'Lisa Park says her order XYZ-789 never arrived; add a note to the order.';
const noteCall: FakeTurn = {
  text: 'I will record her report on the order.',
  toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Customer reports the parcel never arrived.', author: 'deckhand' } }],
  usage: { inputTokens: 500, outputTokens: 40 },
};

let fake: FakeProvider<OpenAIRequest> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function workspace(extraEnv: Record<string, string> = {}) {
  const { home, cwd } = freshWorkspace();
  if (!fake) throw new Error('start the fake first');
  const env = cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_ACTOR: 'alice', ...extraEnv });
  const cli = (args: string[], input?: string) => runCli(args, { env, cwd, ...(input !== undefined ? { input } : {}) });
  const db = () => new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
  const query = <T>(sql: string, ...params: SQLInputValue[]): T[] => {
    const handle = db();
    try {
      return handle.prepare(sql).all(...params) as T[];
    } finally {
      handle.close();
    }
  };
  return { home, cwd, env, cli, query };
}

async function pausedRun(ws: ReturnType<typeof workspace>, task = NOTE_TASK) {
  const first = await ws.cli(['run', task, '--model', 'openai:gpt-4.1-mini', '--json']);
  expect(first.code).toBe(3);
  const events = parseJsonLines(first.stdout);
  const request = events.find((event) => event.type === 'approval-request') as Record<string, string> | undefined;
  expect(request).toBeDefined();
  expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'paused' });
  return { runId: request!.runId!, approvalId: request!.approvalId!, events };
}

const notesFor = (ws: ReturnType<typeof workspace>) =>
  ws.query<{ text: string }>("select text from notes where entity_type = 'order' and entity_id = 'XYZ-789' and id not like 'N-000%'");

describe('approvals across processes', () => {
  it('pause → exit 3 → approve in a second process → resume in a third → the note exists exactly once', async () => {
    fake = await startOpenAIFake([noteCall, { text: 'Added the note to XYZ-789.', usage: { inputTokens: 700, outputTokens: 12 } }]);
    const ws = workspace();
    const { runId, approvalId } = await pausedRun(ws);
    expect(notesFor(ws)).toEqual([]);

    const listed = await ws.cli(['approvals', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: approvalId, runId, server: 'notes', tool: 'add_note', status: 'pending', args: expect.objectContaining({ entity: 'order:XYZ-789' }) }),
    ]);

    const approved = await ws.cli(['approvals', 'approve', approvalId]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`deckhand resume ${runId}`);
    expect(fake.requests).toHaveLength(1);

    const resumed = await ws.cli(['resume', runId, '--json']);
    expect(resumed.code).toBe(0);
    const events = parseJsonLines(resumed.stdout);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['run-start', 'approval-response', 'tool-result', 'step-end', 'run-end']),
    );
    expect(events.find((event) => event.type === 'approval-response')).toMatchObject({ decision: 'approved', by: 'alice' });
    expect(events.at(-1)).toMatchObject({ outcome: 'finished', text: 'Added the note to XYZ-789.' });
    expect(notesFor(ws)).toEqual([{ text: 'Customer reports the parcel never arrived.' }]);
    // The approved step ran without a new model call; the second request carries the tool's result.
    expect(fake.requests).toHaveLength(2);
    expect(sentToolResults(fake.requests[1]!.body).some((output) => output.includes('XYZ-789'))).toBe(true);

    // Resuming a finished run changes nothing and says so.
    const again = await ws.cli(['resume', runId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already finished');
    expect(notesFor(ws)).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    expect(ws.query<{ status: string }>('select status from runs where id = ?', runId)).toEqual([{ status: 'finished' }]);
  });

  it('deny with a note: the model is told and continues, nothing is written', async () => {
    fake = await startOpenAIFake([noteCall, { text: 'Understood, I did not add the note.' }]);
    const ws = workspace();
    const { runId, approvalId } = await pausedRun(ws);
    const denied = await ws.cli(['approvals', 'deny', approvalId, '--note', 'not before we hear from the carrier', '--resume', '--json']);
    expect(denied.code).toBe(0);
    expect(notesFor(ws)).toEqual([]);
    expect(sentToolResults(fake.requests[1]!.body)[0]).toContain('not before we hear from the carrier');
    expect(ws.query<{ status: string }>('select status from runs where id = ?', runId)).toEqual([{ status: 'finished' }]);
  });

  it('two approvers at once: exactly one wins, the other is told it was already resolved', async () => {
    fake = await startOpenAIFake([noteCall]);
    const ws = workspace();
    const { approvalId } = await pausedRun(ws);
    const [first, second] = await Promise.all([ws.cli(['approvals', 'approve', approvalId]), ws.cli(['approvals', 'deny', approvalId, '--note', 'no'])]);
    const codes = [first.code, second.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = first.code === 1 ? first : second;
    expect(loser.stderr).toMatch(new RegExp(`Approval ${approvalId} was already resolved: (approved|denied) by alice`));
    const decisions = ws.query<{ action: string }>("select action from audit_log where subject = ? and action in ('approved', 'denied')", approvalId);
    expect(decisions).toHaveLength(1);
  });

  it('kill -9 during an approved call: resuming does not repeat the side effect', async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'ledger__record_payment', args: { payee: 'Acme Supplies', amount: 120 } }] },
      { text: 'Paid Acme Supplies.' },
    ]);
    const ws = workspace();
    const ledger = join(ws.cwd, 'ledger.txt');
    writeFileSync(
      join(ws.cwd, 'deckhand.json'),
      // The ledger honours idempotency keys and says so: its interrupted call is replayed without asking.
      JSON.stringify({ mcpServers: { ledger: { command: process.execPath, args: [LEDGER_SERVER], env: { LEDGER_FILE: ledger, DELAY_MS: '60000' }, idempotent: true } } }),
    );
    const { runId, approvalId } = await pausedRun(ws, 'Pay Acme Supplies 120');
    expect((await ws.cli(['approvals', 'approve', approvalId])).code).toBe(0);

    const child = spawn(process.execPath, [CLI, 'resume', runId, '--json'], { cwd: ws.cwd, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let attempt = 0; attempt < 300 && !existsSync(ledger); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readFileSync(ledger, 'utf8')).toBe('Acme Supplies 120\n');
    // The payment is recorded and the call is still in flight: kill the host and its server outright.
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(ws.query<{ status: string }>('select status from runs where id = ?', runId)).toEqual([{ status: 'running' }]);

    // A fresh resume finishes the interrupted step with the same idempotency key: no second payment.
    const serverWithoutDelay = JSON.stringify({ mcpServers: { ledger: { command: process.execPath, args: [LEDGER_SERVER], env: { LEDGER_FILE: ledger }, idempotent: true } } });
    writeFileSync(join(ws.cwd, 'deckhand.json'), serverWithoutDelay);
    const resumed = await ws.cli(['resume', runId, '--json']);
    expect(resumed.code).toBe(0);
    expect(readFileSync(ledger, 'utf8')).toBe('Acme Supplies 120\n');
    const events = parseJsonLines(resumed.stdout);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ output: 'Recorded 120 to Acme Supplies.' });
    expect(events.at(-1)).toMatchObject({ outcome: 'finished', text: 'Paid Acme Supplies.' });
    // The interrupted step was finished without asking the model again.
    expect(fake.requests).toHaveLength(2);
  });
});

describe('approval policy from deckhand.json', () => {
  it('deny rules win over --yes; ask rules make a trusted read pause; the audit log verifies, and tampering is caught', async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'orders__refund_order', args: { order_id: 'XYZ-789', amount: 900, reason: 'never arrived' } }] },
      { text: 'The refund was refused by policy.' },
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }] },
    ]);
    const ws = workspace();
    writeFileSync(
      join(ws.cwd, 'deckhand.json'),
      JSON.stringify({
        approval: {
          rules: [
            { tool: 'orders.refund_order', args: { amount: { gt: 500 } }, decision: 'deny', reason: 'refunds over $500 need a manager' },
            { tool: 'crm.*', decision: 'ask' },
          ],
        },
      }),
    );
    const refused = await ws.cli(['run', 'Refund XYZ-789 in full', '--model', 'openai:gpt-4.1-mini', '--yes', '--json']);
    expect(refused.code).toBe(0);
    const toolError = parseJsonLines(refused.stdout).find((event) => event.type === 'tool-error');
    expect(toolError).toMatchObject({ server: 'orders', tool: 'refund_order', error: expect.stringContaining('refunds over $500 need a manager') });
    expect(ws.query<{ refunded_cents: number }>("select refunded_cents from orders where id = 'XYZ-789'")).toEqual([{ refunded_cents: 0 }]);

    const paused = await ws.cli(['run', 'What is the email for XYZ-789?', '--model', 'openai:gpt-4.1-mini', '--json']);
    expect(paused.code).toBe(3);
    expect(parseJsonLines(paused.stdout).find((event) => event.type === 'approval-request')).toMatchObject({ server: 'crm', because: 'rule crm.*' });

    const verified = await ws.cli(['audit', 'verify', '--json']);
    expect(verified.code).toBe(0);
    const intact = JSON.parse(verified.stdout) as { ok: boolean; entries: number };
    expect(intact).toMatchObject({ ok: true });
    expect(intact.entries).toBeGreaterThanOrEqual(2);

    const handle = new DatabaseSync(join(ws.home, 'deckhand.db'), { timeout: 10_000 });
    handle.prepare("update audit_log set actor = 'mallory' where seq = 1").run();
    handle.close();
    const broken = await ws.cli(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 1 .*was changed/);
  });
});

describe('approval resolutions', () => {
  it('approve with edited arguments runs the edited call', async () => {
    fake = await startOpenAIFake([noteCall, { text: 'Done.' }]);
    const ws = workspace();
    const { approvalId } = await pausedRun(ws);
    const edited = JSON.stringify({ entity: 'order:XYZ-789', text: 'Carrier trace requested (edited by alice).', author: 'alice' });
    expect((await ws.cli(['approvals', 'approve', approvalId, '--args', edited, '--resume'])).code).toBe(0);
    expect(notesFor(ws)).toEqual([{ text: 'Carrier trace requested (edited by alice).' }]);
  });

  it('approve for the session: the same tool later in the session runs without asking', async () => {
    fake = await startOpenAIFake([
      noteCall,
      { text: 'Added.' },
      { toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Second note.', author: 'deckhand' } }] },
      { text: 'Added the second note.' },
    ]);
    const ws = workspace();
    const { runId, approvalId } = await pausedRun(ws);
    expect((await ws.cli(['approvals', 'approve', approvalId, '--session', '--resume'])).code).toBe(0);
    const sessionId = ws.query<{ session_id: string }>('select session_id from runs where id = ?', runId)[0]!.session_id;
    const second = await ws.cli(['run', 'Add a second note', '--model', 'openai:gpt-4.1-mini', '--session', sessionId, '--json']);
    expect(second.code).toBe(0);
    expect(parseJsonLines(second.stdout).find((event) => event.type === 'approval-response')).toMatchObject({ decision: 'approved', by: 'session grant' });
    expect(notesFor(ws)).toHaveLength(2);
  });

  it('an expired approval is not run, and the model is told', async () => {
    fake = await startOpenAIFake([noteCall, { text: 'It still needs approval.' }]);
    const ws = workspace();
    const { runId, approvalId } = await pausedRun(ws);
    const handle = new DatabaseSync(join(ws.home, 'deckhand.db'), { timeout: 10_000 });
    handle.prepare("update approvals set expires_at = '2000-01-01T00:00:00.000Z' where id = ?").run(approvalId);
    handle.close();
    const late = await ws.cli(['approvals', 'approve', approvalId]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('expired');
    expect((await ws.cli(['resume', runId])).code).toBe(0);
    expect(notesFor(ws)).toEqual([]);
    expect(sentToolResults(fake.requests[1]!.body)[0]).toMatch(/expired/);
  });

  it('prints how to approve and resume when it pauses without a terminal', async () => {
    fake = await startOpenAIFake([noteCall]);
    const ws = workspace();
    const result = await ws.cli(['run', NOTE_TASK, '--model', 'openai:gpt-4.1-mini']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/notes\.add_note needs approval \(changes data, medium risk\): AP-/);
    expect(result.stderr).toMatch(/deckhand approvals approve AP-\w+/);
    expect(result.stderr).toMatch(/deckhand resume [0-9a-f-]{36}/);
  });
});
