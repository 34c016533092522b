import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/contracts/index.js';
import type { Runtime } from '../src/app/runtime.js';
import type { FakeTurn } from './fakes/sse.js';
import { sentToolResults, sentTranscript } from './fakes/openai-fake.js';
import { closeAll, listen, openApi, openSocket as openStream, runEnds, startFake, workspace } from './helpers/api-server.js';

// `deckhand serve` in process: the Fastify app over a temp store, the real notes server (stdio) and the OpenAI
// wire fake; HTTP through inject() (with the token), the run stream through a real socket and Node's WebSocket client.

const NOTE_TASK = 'Lisa Park says her order XYZ-789 never arrived; add a note to the order.';
const NOTE_TEXT = 'Customer reports the parcel never arrived.';
const noteCall: FakeTurn = {
  text: 'I will record her report on the order.',
  toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: NOTE_TEXT, author: 'deckhand' } }],
  usage: { inputTokens: 500, outputTokens: 40 },
};

afterEach(closeAll);

function notesFor(runtime: Runtime) {
  return runtime.store.db
    .selectFrom('notes')
    .select('text')
    .where('entity_type', '=', 'order')
    .where('entity_id', '=', 'XYZ-789')
    .where('id', 'not like', 'N-000%')
    .execute();
}

describe('deckhand serve: runs and approvals', () => {
  it('pauses on notes.add_note, is approved over the API (a second decision is 409), resumes, and streams it all', async () => {
    const fake = await startFake([noteCall, { text: 'Added the note to XYZ-789.', usage: { inputTokens: 700, outputTokens: 12 } }]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);

    const health = await api.inject({ method: 'GET', url: '/api/health' });
    expect(health.json()).toMatchObject({ ok: true, model: 'openai:gpt-4.1-mini', servers: [{ name: 'notes', state: 'ready', tools: expect.arrayContaining(['add_note', 'get_notes']) }] });

    const started = await api.inject({ method: 'POST', url: '/api/runs', payload: { task: NOTE_TASK } });
    expect(started.statusCode).toBe(202);
    const { runId, sessionId } = started.json() as { runId: string; sessionId: string };
    const stream = await openStream(`${base}/api/runs/${runId}/stream`);
    const paused = await stream.next((frame) => frame.type === 'run-end');
    expect(paused).toMatchObject({ outcome: 'paused' });
    const request = await stream.next((frame) => frame.type === 'approval-request');
    expect(request).toMatchObject({ runId, server: 'notes', tool: 'add_note', kind: 'approval' });
    const approvalId = String(request.approvalId);

    const pending = await api.inject({ method: 'GET', url: '/api/approvals' });
    expect(pending.json()).toEqual([expect.objectContaining({ id: approvalId, runId, sessionId, tool: 'add_note', status: 'pending', args: expect.objectContaining({ text: NOTE_TEXT }) })]);
    expect(await notesFor(api.runtime)).toEqual([]);

    const approve = () => api.inject({ method: 'POST', url: `/api/approvals/${approvalId}/approve`, headers: { 'x-deckhand-actor': 'alice' }, payload: { note: 'checked with the carrier' } });
    const approved = await approve();
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ approval: { id: approvalId, status: 'approved', resolvedBy: 'alice', scope: 'once' }, resumed: false });
    const again = await approve();
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'ALREADY_RESOLVED', message: expect.stringContaining(`Approval ${approvalId} was already resolved: approved by alice`) } });

    const beforeResume = stream.frames.length;
    const resumed = await api.inject({ method: 'POST', url: `/api/runs/${runId}/resume` });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json()).toEqual({ runId, sessionId });
    const finished = await stream.next((frame) => frame.type === 'run-end', beforeResume);
    expect(finished).toMatchObject({ outcome: 'finished', text: 'Added the note to XYZ-789.' });

    // The subscriber saw the request, then (after the resume, on the same socket) the decision, the result, the end.
    const types = stream.frames.map((frame) => frame.type);
    const order = ['approval-request', 'approval-response', 'tool-result', 'run-end'].map((type, index) => (index < 1 ? types.indexOf(type) : types.indexOf(type, beforeResume)));
    expect(order.every((position, index) => position >= 0 && (index === 0 || position > order[index - 1]!))).toBe(true);
    expect(stream.frames.find((frame) => frame.type === 'approval-response')).toMatchObject({ decision: 'approved', by: 'alice' });
    expect(await notesFor(api.runtime)).toEqual([{ text: NOTE_TEXT }]);

    const run = await api.inject({ method: 'GET', url: `/api/runs/${runId}` });
    expect(run.json()).toMatchObject({ id: runId, sessionId, status: 'finished', executing: false, finalText: 'Added the note to XYZ-789.', totals: { toolCalls: 1, inputTokens: 1_200 }, pendingApprovals: [] });
    const events = (await api.inject({ method: 'GET', url: `/api/runs/${runId}/events` })).json() as RunEvent[];
    expect(events.filter((event) => event.type === 'run-start')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });

    const finishedResume = await api.inject({ method: 'POST', url: `/api/runs/${runId}/resume`, payload: {} });
    expect(finishedResume.statusCode).toBe(409);
    expect(finishedResume.json()).toMatchObject({ error: { code: 'RUN_FINISHED', message: `Run ${runId} already finished, nothing to resume.` } });
    expect(await notesFor(api.runtime)).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('denies over the WebSocket with a note and resumes; malformed frames get error frames, never a crash', async () => {
    const fake = await startFake([noteCall, { text: 'Understood, I did not add the note.' }]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);
    const { runId } = (await api.inject({ method: 'POST', url: '/api/runs', payload: { task: NOTE_TASK } })).json() as { runId: string };
    const stream = await openStream(`${base}/api/runs/${runId}/stream`);
    const request = await stream.next((frame) => frame.type === 'approval-request');
    await stream.next((frame) => frame.type === 'run-end');

    stream.send('not json');
    stream.send({ type: 'approve' });
    stream.send({ type: 'shrug', approvalId: request.approvalId });
    stream.send(new Uint8Array([1, 2, 3]));
    stream.send({ type: 'answer', approvalId: request.approvalId, answer: 'yes' });
    const errors = () => stream.frames.filter((frame) => frame.type === 'error');
    await stream.next(() => errors().length === 5);
    expect(errors().map((frame) => frame.code)).toEqual(['BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME', 'WRONG_KIND']);
    expect(errors()[1]).toMatchObject({ message: 'frame.approvalId: is required' });

    const beforeDeny = stream.frames.length;
    stream.send({ type: 'deny', approvalId: request.approvalId, note: 'not before we hear from the carrier', resume: true });
    expect(await stream.next((frame) => frame.type === 'ack')).toEqual({ type: 'ack', approvalId: request.approvalId, status: 'denied', resumed: true });
    expect(await stream.next((frame) => frame.type === 'run-end', beforeDeny)).toMatchObject({ outcome: 'finished', text: 'Understood, I did not add the note.' });
    expect(stream.frames.slice(beforeDeny).find((frame) => frame.type === 'approval-response')).toMatchObject({ decision: 'denied', by: 'api', note: 'not before we hear from the carrier' });

    stream.send({ type: 'approve', approvalId: request.approvalId });
    expect(await stream.next((frame) => frame.type === 'error' && frame.code === 'ALREADY_RESOLVED')).toMatchObject({ approvalId: request.approvalId });
    expect(await notesFor(api.runtime)).toEqual([]);
    expect(sentToolResults(fake.requests[1]!.body)[0]).toContain('not before we hear from the carrier');
    expect(stream.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('approves for the rest of the session with edited arguments; the next add_note in the session does not ask', async () => {
    const secondNote: FakeTurn = { toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Carrier contacted.', author: 'deckhand' } }] };
    const fake = await startFake([noteCall, { text: 'Noted.' }, secondNote, { text: 'Noted again.' }]);
    const api = await openApi(workspace(), fake);
    const { runId, sessionId } = (await api.inject({ method: 'POST', url: '/api/runs', payload: { task: NOTE_TASK } })).json() as { runId: string; sessionId: string };
    await runEnds(api, runId);
    const [pending] = (await api.inject({ method: 'GET', url: '/api/approvals' })).json() as Array<{ id: string }>;

    const editedArgs = { entity: 'order:XYZ-789', text: 'Parcel reported missing (edited).', author: 'dana' };
    const approved = await api.inject({ method: 'POST', url: `/api/approvals/${pending!.id}/approve`, payload: { scope: 'session', args: editedArgs, resume: true } });
    expect(approved.json()).toMatchObject({ approval: { status: 'approved', scope: 'session', editedArgs, resolvedBy: 'api' }, resumed: true });
    expect((await runEnds(api, runId, 2))[1]).toMatchObject({ outcome: 'finished' });

    const next = (await api.inject({ method: 'POST', url: `/api/sessions/${sessionId}/runs`, payload: { task: 'Also note that the carrier was contacted.' } })).json() as { runId: string };
    expect(await runEnds(api, next.runId)).toEqual([expect.objectContaining({ outcome: 'finished', text: 'Noted again.' })]);
    expect((await notesFor(api.runtime)).map((note) => note.text).sort()).toEqual(['Carrier contacted.', 'Parcel reported missing (edited).']);
    expect((await api.inject({ method: 'GET', url: '/api/approvals?status=all' })).json()).toHaveLength(1);
  });

  it('two decisions at once: exactly one wins, the other gets 409', async () => {
    const fake = await startFake([noteCall]);
    const api = await openApi(workspace(), fake);
    const { runId } = (await api.inject({ method: 'POST', url: '/api/runs', payload: { task: NOTE_TASK } })).json() as { runId: string };
    await runEnds(api, runId);
    const [pending] = (await api.inject({ method: 'GET', url: '/api/approvals' })).json() as Array<{ id: string }>;
    const decide = (decision: 'approve' | 'deny', actor: string) =>
      api.inject({ method: 'POST', url: `/api/approvals/${pending!.id}/${decision}`, headers: { 'x-deckhand-actor': actor } });
    const responses = await Promise.all([decide('approve', 'alice'), decide('deny', 'bob'), decide('approve', 'carol')]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 409, 409]);
    const decisions = await api.runtime.store.db.selectFrom('audit_log').select('action').where('subject', '=', pending!.id).where('action', 'in', ['approved', 'denied']).execute();
    expect(decisions).toHaveLength(1);
  });

  it("answers the agent's question over the API and resumes with the answer as the tool result", async () => {
    const fake = await startFake([
      { toolCalls: [{ id: 'call_ask', name: 'deckhand__ask_user', args: { question: 'Which order do you mean?' } }] },
      { text: 'Thanks, looking at XYZ-789.' },
    ]);
    const api = await openApi(workspace(), fake);
    const { runId } = (await api.inject({ method: 'POST', url: '/api/runs', payload: { task: 'Check on my order.' } })).json() as { runId: string };
    await runEnds(api, runId);
    const [question] = (await api.inject({ method: 'GET', url: '/api/approvals' })).json() as Array<{ id: string; kind: string }>;
    expect(question).toMatchObject({ kind: 'question', tool: 'ask_user' });
    const wrong = await api.inject({ method: 'POST', url: `/api/approvals/${question!.id}/approve` });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: { code: 'WRONG_KIND' } });
    const answered = await api.inject({ method: 'POST', url: `/api/approvals/${question!.id}/answer`, payload: { answer: 'XYZ-789', resume: true } });
    expect(answered.json()).toMatchObject({ approval: { status: 'answered', note: 'XYZ-789' }, resumed: true });
    expect((await runEnds(api, runId, 2))[1]).toMatchObject({ outcome: 'finished', text: 'Thanks, looking at XYZ-789.' });
    expect(sentToolResults(fake.requests[1]!.body)[0]).toContain('XYZ-789');
  });

  it('a second server over the same store continues the session with its full context', async () => {
    const fake = await startFake([{ text: 'Noted: the code word is pelican.' }, { text: 'The code word was pelican.' }]);
    const ws = workspace();
    const first = await openApi(ws, fake);
    const started = (await first.inject({ method: 'POST', url: '/api/runs', payload: { task: 'Remember the code word: pelican.' } })).json() as { runId: string; sessionId: string };
    await runEnds(first, started.runId);
    await first.close();

    const second = await openApi(ws, fake);
    const sessions = (await second.inject({ method: 'GET', url: '/api/sessions' })).json() as Array<{ id: string; runs: number }>;
    expect(sessions).toEqual([expect.objectContaining({ id: started.sessionId, runs: 1 })]);
    const continued = await second.inject({ method: 'POST', url: `/api/sessions/${started.sessionId}/runs`, payload: { task: 'What was the code word?' } });
    expect(continued.statusCode).toBe(202);
    const { runId } = continued.json() as { runId: string };
    expect(await runEnds(second, runId)).toEqual([expect.objectContaining({ outcome: 'finished', text: 'The code word was pelican.' })]);

    const sent = sentTranscript(fake.requests[1]!.body);
    expect(sent.slice(1)).toEqual(['user: Remember the code word: pelican.', 'assistant: Noted: the code word is pelican.', 'user: What was the code word?']);
    const transcript = (await second.inject({ method: 'GET', url: `/api/sessions/${started.sessionId}/messages` })).json() as Array<{ role: string }>;
    expect(transcript.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });
});

describe('deckhand serve: input, ids and hosts', () => {
  it('answers bad input with 400 and one message, unknown ids with 404, other hosts with 403', async () => {
    const fake = await startFake([]);
    const api = await openApi(workspace(), fake);
    const call = (method: 'GET' | 'POST', url: string, options: { payload?: unknown; headers?: Record<string, string> } = {}) =>
      api.inject({ method, url, ...(options.payload !== undefined ? { payload: options.payload as string } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    const expectError = async (response: Awaited<ReturnType<typeof call>>, status: number, message: string | RegExp) => {
      expect(response.statusCode).toBe(status);
      const body = response.json() as { error: { code: string; message: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.message).toMatch(message);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
    };

    await expectError(await call('POST', '/api/runs', { payload: {} }), 400, 'body.task: is required');
    await expectError(await call('POST', '/api/runs', { payload: { task: '  ' } }), 400, 'body.task: must not be empty');
    await expectError(await call('POST', '/api/runs', { payload: { task: 'x', maxSteps: 0 } }), 400, /^body\.maxSteps: /);
    await expectError(await call('POST', '/api/runs', { payload: { task: 'x', budget: 1 } }), 400, 'body: unknown key(s) "budget"');
    await expectError(await call('POST', '/api/runs', { payload: '{"task":', headers: { 'content-type': 'application/json' } }), 400, /JSON/);
    await expectError(await call('GET', '/api/approvals?status=maybe'), 400, /^query\.status: /);
    await expectError(await call('POST', '/api/approvals/AP-1/approve', { payload: { scope: 'forever' } }), 400, /^body\.scope: /);
    await expectError(await call('POST', '/api/approvals/AP-1/approve', { payload: { args: [1] } }), 400, /^body\.args: /);
    await expectError(await call('POST', '/api/approvals/AP-1/answer', { payload: {} }), 400, 'body.answer: is required');
    await expectError(await call('POST', '/api/approvals/AP-1/deny', { headers: { 'x-deckhand-actor': 'x'.repeat(101) } }), 400, 'header x-deckhand-actor: at most 100 characters');
    await expectError(await call('POST', '/api/runs', { payload: JSON.stringify({ task: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } }), 413, /too large/i);

    await expectError(await call('POST', '/api/approvals/AP-missing/approve'), 404, 'No approval AP-missing');
    await expectError(await call('GET', '/api/runs/nope'), 404, 'No run nope.');
    await expectError(await call('GET', '/api/runs/nope/events'), 404, 'No run nope.');
    await expectError(await call('POST', '/api/runs/nope/resume'), 404, 'No run nope.');
    await expectError(await call('GET', '/api/sessions/nope/messages'), 404, 'No session nope');
    await expectError(await call('POST', '/api/sessions/nope/runs', { payload: { task: 'x' } }), 404, 'No session nope');
    await expectError(await call('GET', '/api/nothing-here'), 404, 'No route GET /api/nothing-here');
    await expectError(await call('GET', '/api/runs/nope/stream'), 426, 'This endpoint is a WebSocket');

    // DNS rebinding: a page elsewhere can reach 127.0.0.1 but cannot make the browser name it.
    await expectError(await call('GET', '/api/health', { headers: { host: 'evil.example:8787' } }), 403, "Host 'evil.example:8787' is not allowed");
    await expectError(await call('GET', '/api/health', { headers: { host: 'localhost:8787', origin: 'http://evil.example' } }), 403, "Origin 'http://evil.example' is not allowed");
    expect((await call('GET', '/api/health', { headers: { host: '127.0.0.1:8787', origin: 'http://localhost:5173' } })).statusCode).toBe(200);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a stream for an unknown run with an error frame and close code 4404', async () => {
    const fake = await startFake([]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);
    const stream = await openStream(`${base}/api/runs/nope/stream`);
    const closed = new Promise<number>((resolve) => stream.socket.addEventListener('close', (event) => resolve(event.code), { once: true }));
    expect(await stream.next((frame) => frame.type === 'error')).toMatchObject({ code: 'NOT_FOUND', message: 'No run nope.' });
    expect(await closed).toBe(4404);
  });

  it('refuses the WebSocket upgrade from another origin, and still closes promptly', async () => {
    // Regression: a refused upgrade's socket lies outside the HTTP server's bookkeeping; left open, app.close() hung.
    const fake = await startFake([]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);
    await expect(openStream(`${base}/api/runs/nope/stream`, { origin: 'http://evil.example' })).rejects.toThrow('could not open');
    await api.close();
  });
});
