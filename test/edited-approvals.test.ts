import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, sentToolResults, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { closeAll, openApi, runEnds, startFake, workspace as apiWorkspace } from './helpers/api-server.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const NOTE_TASK = 'Lisa Park says her order XYZ-789 never arrived; add a note to the order.';
const noteCall: FakeTurn = {
  text: 'I will record her report on the order.',
  toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Customer reports the parcel never arrived.', author: 'deckhand' } }],
};
const EDITED = { entity: 'order:XYZ-789', text: 'Carrier trace requested (edited by alice).', author: 'alice' };
// `text` is required by notes.add_note: without it the server would refuse the call.
const INVALID = { entity: 'order:XYZ-789', author: 'alice' };

let fake: FakeProvider<OpenAIRequest> | undefined;
afterEach(async () => {
  await closeAll();
  await fake?.close();
  fake = undefined;
});

function workspace(env: Record<string, string>) {
  const ws = freshWorkspace();
  const full = cliEnv(ws.home, { DECKHAND_ACTOR: 'alice', ...env });
  const cli = (args: readonly string[]) => runCli(args, { env: full, cwd: ws.cwd, timeoutMs: 60_000 });
  const query = <T>(sql: string, ...params: string[]): T[] => {
    const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  return { ...ws, cli, query };
}

/** The run's stored events of `type`, parsed. */
function stored(ws: { query: ReturnType<typeof workspace>['query'] }, runId: string, type: string): Array<Record<string, unknown>> {
  return ws.query<{ data: string }>('select data from run_events where run_id = ? and type = ? order by seq', runId, type).map((row) => JSON.parse(row.data) as Record<string, unknown>);
}

describe('approving with edited arguments (CLI)', () => {
  // Invariant: edited arguments the tool's input schema refuses do not use up the approval; accepted ones are what
  // runs, and the events, the model and the person are all told so.
  it('refuses arguments that do not fit the schema (still pending), then runs, records and reports the edit', { timeout: 90_000 }, async () => {
    const provider = await startOpenAIFake([noteCall, { text: 'Noted the carrier trace.' }]);
    fake = provider;
    const ws = workspace({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${provider.url}/v1`, DECKHAND_MODEL: 'openai:gpt-4.1-mini' });
    const first = await ws.cli(['run', NOTE_TASK, '--json']);
    expect(first.code).toBe(3);
    const request = parseJsonLines(first.stdout).find((event) => event.type === 'approval-request')!;
    const approvalId = String(request.approvalId);
    const runId = String(request.runId);

    const refused = await ws.cli(['approvals', 'approve', approvalId, '--args', JSON.stringify(INVALID)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`The edited arguments do not fit notes\\.add_note: text: .+\\. Approval ${approvalId} is still pending`));
    expect(ws.query<{ status: string }>('select status from approvals where id = ?', approvalId)).toEqual([{ status: 'pending' }]);

    const approved = await ws.cli(['approvals', 'approve', approvalId, '--args', JSON.stringify(EDITED), '--resume']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('with edited arguments');
    expect(approved.stdout).toContain('Carrier trace requested (edited by alice).');
    expect(ws.query("select text from notes where author = 'alice'")).toEqual([{ text: EDITED.text }]);

    expect(stored(ws, runId, 'approval-response')).toEqual([expect.objectContaining({ decision: 'approved', by: 'alice', args: EDITED })]);
    expect(stored(ws, runId, 'tool-start')).toEqual([expect.objectContaining({ server: 'notes', tool: 'add_note', args: EDITED, edited: true })]);
    expect(sentToolResults(provider.requests[1]!.body)[0]).toContain(`the call ran with ${JSON.stringify(EDITED)}`);
  });

  // Invariant: "What I did" names what ran, not what was proposed (the offline planner builds it from the transcript).
  it('the offline planner reports the edited call in its answer', { timeout: 90_000 }, async () => {
    const ws = workspace({});
    const first = await ws.cli(['run', 'Add a note to order XYZ-789: parcel lost in transit', '--json']);
    expect(first.code).toBe(3);
    const request = parseJsonLines(first.stdout).find((event) => event.type === 'approval-request')!;
    const edited = { ...(request.args as Record<string, unknown>), text: 'parcel found at the depot' };
    const approved = await ws.cli(['approvals', 'approve', String(request.approvalId), '--args', JSON.stringify(edited), '--resume', '--json']);
    expect(approved.code).toBe(0);
    const end = parseJsonLines(approved.stdout).at(-1)!;
    expect(end).toMatchObject({ type: 'run-end', outcome: 'finished' });
    const whatIDid = String(end.text).split('What I did:')[1] ?? '';
    expect(whatIDid).toContain('parcel found at the depot');
    expect(whatIDid).not.toContain('parcel lost in transit');
  });
});

describe('approving with edited arguments (HTTP API)', () => {
  it('400 for arguments that do not fit, the approval still pending; then the edit runs and is recorded', { timeout: 60_000 }, async () => {
    const provider = await startFake([noteCall, { text: 'Noted the carrier trace.' }]);
    const api = await openApi(apiWorkspace(), provider);
    const started = await api.inject({ method: 'POST', url: '/api/runs', payload: { task: NOTE_TASK } });
    const { runId } = started.json() as { runId: string };
    await runEnds(api, runId);
    const [pending] = (await api.inject({ method: 'GET', url: '/api/approvals' })).json() as Array<{ id: string }>;

    const refused = await api.inject({ method: 'POST', url: `/api/approvals/${pending!.id}/approve`, payload: { args: INVALID, resume: true } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringMatching(/do not fit notes\.add_note: text: .+ is still pending; fix "args"/) } });
    const still = (await api.inject({ method: 'GET', url: '/api/approvals' })).json() as Array<{ id: string; status: string }>;
    expect(still).toEqual([expect.objectContaining({ id: pending!.id, status: 'pending' })]);

    const approved = await api.inject({ method: 'POST', url: `/api/approvals/${pending!.id}/approve`, payload: { args: EDITED, resume: true } });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ approval: { status: 'approved', editedArgs: EDITED }, resumed: true });
    await runEnds(api, runId, 2);
    const events = await api.runs.storedEvents(runId);
    expect(events.find((event) => event.type === 'approval-response')).toMatchObject({ args: EDITED });
    expect(events.find((event) => event.type === 'tool-start')).toMatchObject({ args: EDITED, edited: true });
    expect(sentToolResults(provider.requests[1]!.body)[0]).toContain(`the call ran with ${JSON.stringify(EDITED)}`);
  });
});
