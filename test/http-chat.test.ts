import { afterEach, describe, expect, it } from 'vitest';
import type { FakeTurn } from './fakes/sse.js';
import { sentToolResults } from './fakes/openai-fake.js';
import { closeAll, type Frame, listen, openApi, openSocket, startFake, TEST_TOKEN, workspace } from './helpers/api-server.js';

// `/ws/chat` and the secured API over a real socket on an ephemeral 127.0.0.1 port, with the OpenAI wire fake
// streaming word by word and the real notes server.

afterEach(closeAll);

const LONG_ANSWER = Array.from({ length: 40 }, (_, index) => `word${index + 1}`).join(' ') + '.';
const NOTE_TEXT = 'Customer reports the parcel never arrived.';
const noteCall: FakeTurn = {
  text: 'I will record her report on the order.',
  toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: NOTE_TEXT, author: 'deckhand' } }],
  usage: { inputTokens: 500, outputTokens: 40 },
};

const ids = (frames: readonly Frame[]) => frames.filter((frame) => typeof frame.id === 'number').map((frame) => frame.id as number);
const deltas = (frames: readonly Frame[]) => frames.filter((frame) => frame.type === 'text-delta').map((frame) => String(frame.text));

describe('/ws/chat: streaming and resume', () => {
  it('streams the answer delta by delta; a reconnect with lastEventId mid-answer loses and repeats nothing', async () => {
    const fake = await startFake([{ text: LONG_ANSWER, usage: { inputTokens: 300, outputTokens: 60 } }]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);

    // Tab A starts a new session and drops the connection after the third text delta.
    const first = await openSocket(`${base}/ws/chat`);
    const seen: Frame[] = [];
    let dropped = false;
    const droppedAfter = new Promise<void>((resolve) => {
      first.socket.addEventListener('message', (message) => {
        if (dropped) return;
        const frame = JSON.parse(String(message.data)) as Frame;
        seen.push(frame);
        if (deltas(seen).length === 3) {
          dropped = true;
          first.socket.close();
          resolve();
        }
      });
    });
    first.send({ type: 'message', text: 'Say forty words.' });
    await droppedAfter;
    const sessionId = String(seen.find((frame) => frame.type === 'run-start')?.sessionId);
    const lastEventId = Math.max(...ids(seen));

    // It comes back with the last id it saw and gets exactly the rest.
    const second = await openSocket(`${base}/ws/chat?sessionId=${sessionId}&lastEventId=${lastEventId}`);
    await second.next((frame) => frame.type === 'run-end');
    const resumedIds = ids(second.frames);
    expect(resumedIds[0]).toBe(lastEventId + 1);
    const all = [...ids(seen), ...resumedIds];
    expect(all).toEqual(Array.from({ length: all.length }, (_, index) => index + 1));
    expect([...deltas(seen), ...deltas(second.frames)].join('')).toBe(LONG_ANSWER);
    // The provider's words arrived as separate deltas, in order (not the whole answer at the end).
    expect(deltas(seen).length + deltas(second.frames).length).toBeGreaterThanOrEqual(40);

    // A fresh tab replays the whole session with the same ids.
    const third = await openSocket(`${base}/ws/chat`);
    third.send({ type: 'subscribe', sessionId });
    const ready = await third.next((frame) => frame.type === 'ready');
    expect(ready).toMatchObject({ sessionId, lastEventId: all.length });
    const replay = third.frames.filter((frame) => typeof frame.id === 'number');
    expect(replay.map((frame) => frame.id)).toEqual(all);
    expect(replay.map((frame) => frame.type)).toEqual([...seen, ...second.frames].filter((frame) => typeof frame.id === 'number').map((frame) => frame.type));
    expect(replay.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: LONG_ANSWER, sessionId });
  });

  it('two tabs on one session: an approval decided over the API is shown in both, resumes the run, and both see it end', async () => {
    const fake = await startFake([noteCall, { text: 'Added the note to XYZ-789.', usage: { inputTokens: 700, outputTokens: 12 } }]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);

    const tabA = await openSocket(`${base}/ws/chat`);
    tabA.send({ type: 'message', text: 'Lisa Park says her order XYZ-789 never arrived; add a note to the order.' });
    const ack = await tabA.next((frame) => frame.type === 'ack' && frame.for === 'message');
    const sessionId = String(ack.sessionId);
    const request = await tabA.next((frame) => frame.type === 'approval-request');
    await tabA.next((frame) => frame.type === 'run-end');

    const tabB = await openSocket(`${base}/ws/chat?sessionId=${sessionId}`);
    await tabB.next((frame) => frame.type === 'ready');
    const approved = await api.inject({ method: 'POST', url: `/api/approvals/${String(request.approvalId)}/approve`, headers: { 'x-deckhand-actor': 'dana' }, payload: { resume: true } });
    expect(approved.json()).toMatchObject({ resumed: true, approval: { status: 'approved', resolvedBy: 'dana' } });

    for (const tab of [tabA, tabB]) {
      expect(await tab.next((frame) => frame.type === 'approval-resolved')).toMatchObject({ sessionId, approval: { id: request.approvalId, status: 'approved' } });
      expect(await tab.next((frame) => frame.type === 'run-end' && frame.outcome === 'finished')).toMatchObject({ text: 'Added the note to XYZ-789.' });
    }
    // Both tabs hold the same events under the same ids.
    const byId = (tab: typeof tabA) => tab.frames.filter((frame) => typeof frame.id === 'number').map((frame) => `${String(frame.id)}:${frame.type}`);
    expect(byId(tabB)).toEqual(byId(tabA));
    expect(byId(tabA).filter((entry) => entry.endsWith(':tool-result'))).toHaveLength(1);

    // Deciding again from a tab is refused, and the session's detail shows the decision and the usage.
    tabB.send({ type: 'approve', approvalId: request.approvalId });
    expect(await tabB.next((frame) => frame.type === 'error')).toMatchObject({ code: 'ALREADY_RESOLVED', approvalId: request.approvalId });
    const session = (await api.inject({ method: 'GET', url: `/api/sessions/${sessionId}` })).json() as Record<string, unknown>;
    expect(session).toMatchObject({ id: sessionId, totals: { runs: 1, inputTokens: 1_200, outputTokens: 52 }, approvals: [{ id: request.approvalId, status: 'approved' }] });
  });

  it('approves from the socket (resuming by default), cancels a run, and answers bad frames with error frames', async () => {
    const fake = await startFake([noteCall, { text: 'Noted.' }, { text: 'Thinking about', stall: true }]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);
    const tab = await openSocket(`${base}/ws/chat`);
    tab.send('not json');
    tab.send({ type: 'message' });
    tab.send({ type: 'subscribe', sessionId: 'nope' });
    tab.send({ type: 'cancel', runId: 'nope' });
    await tab.next(() => tab.frames.filter((frame) => frame.type === 'error').length === 4);
    expect(tab.frames.filter((frame) => frame.type === 'error').map((frame) => frame.code)).toEqual(['BAD_FRAME', 'BAD_FRAME', 'NOT_FOUND', 'NOT_EXECUTING']);

    tab.send({ type: 'message', text: 'Add a note to XYZ-789 that the parcel never arrived.' });
    const request = await tab.next((frame) => frame.type === 'approval-request');
    tab.send({ type: 'approve', approvalId: request.approvalId, scope: 'session' });
    expect(await tab.next((frame) => frame.type === 'ack' && frame.for === 'approve')).toMatchObject({ status: 'approved', resumed: true });
    const finished = await tab.next((frame) => frame.type === 'run-end' && frame.outcome === 'finished');
    expect(finished).toMatchObject({ text: 'Noted.' });

    const before = tab.frames.length;
    tab.send({ type: 'message', sessionId: String(finished.sessionId), text: 'Think about it at length.' });
    const started = await tab.next((frame) => frame.type === 'ack' && frame.for === 'message', before);
    await tab.next((frame) => frame.type === 'text-delta', before);
    tab.send({ type: 'cancel', runId: started.runId });
    expect(await tab.next((frame) => frame.type === 'run-end', before)).toMatchObject({ outcome: 'cancelled', runId: started.runId });
  });

  it("answers the agent's question from the socket; the answer is the tool result of the resumed run", async () => {
    const fake = await startFake([{ toolCalls: [{ id: 'call_ask', name: 'deckhand__ask_user', args: { question: 'Which order do you mean?' } }] }, { text: 'Thanks, looking at XYZ-789.' }]);
    const api = await openApi(workspace(), fake);
    const tab = await openSocket(`${await listen(api)}/ws/chat`);
    tab.send({ type: 'message', text: 'Check on my order.' });
    const question = await tab.next((frame) => frame.type === 'approval-request');
    expect(question).toMatchObject({ kind: 'question', tool: 'ask_user', args: { question: 'Which order do you mean?' } });
    tab.send({ type: 'answer', approvalId: question.approvalId, text: 'XYZ-789' });
    expect(await tab.next((frame) => frame.type === 'ack' && frame.for === 'answer')).toMatchObject({ status: 'answered', resumed: true });
    expect(await tab.next((frame) => frame.type === 'run-end' && frame.outcome === 'finished')).toMatchObject({ text: 'Thanks, looking at XYZ-789.' });
    expect(sentToolResults(fake.requests[1]!.body)[0]).toContain('XYZ-789');
  });
});

describe('deckhand serve: the token, origins, probes and the API document', () => {
  it('refuses a missing or wrong token and a foreign Origin; accepts the Bearer header and the login cookie', async () => {
    const fake = await startFake([]);
    const api = await openApi(workspace(), fake);
    const base = await listen(api);
    const http = base.replace(/^ws/, 'http');

    expect((await fetch(`${http}/health`)).status).toBe(200);
    const ready = await fetch(`${http}/ready`);
    expect(await ready.json()).toEqual({ ready: true, store: true, servers: [{ name: 'notes', state: 'ready' }] });

    const none = await fetch(`${http}/api/sessions`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('An access token is required') } });
    const wrong = await fetch(`${http}/api/sessions`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining('The access token is wrong') } });
    expect((await fetch(`${http}/api/sessions`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(200);

    // The UI logs in once with the header; the HttpOnly cookie then does.
    const login = await fetch(`${http}/api/login`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^deckhand_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const jar = cookie.split(';')[0]!;
    expect((await fetch(`${http}/api/sessions`, { headers: { cookie: jar } })).status).toBe(200);
    expect((await fetch(`${http}/api/sessions`, { headers: { cookie: 'deckhand_token=guess' } })).status).toBe(401);

    // WebSockets: no token, a wrong one, or a page on another site (even one holding the cookie) get no socket.
    await expect(openSocket(`${base}/ws/chat`, { authorization: '' })).rejects.toThrow('could not open');
    await expect(openSocket(`${base}/ws/chat`, { authorization: 'Bearer wrong-token-0123456789' })).rejects.toThrow('could not open');
    await expect(openSocket(`${base}/ws/chat`, { authorization: '', cookie: jar, origin: 'http://evil.example' })).rejects.toThrow('could not open');
    await expect(openSocket(`${base}/api/runs/x/stream`, { authorization: '' })).rejects.toThrow('could not open');
    const viaCookie = await openSocket(`${base}/ws/chat`, { authorization: '', cookie: jar, origin: http });
    expect(viaCookie.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('serves the OpenAPI document, servers, usage per day and model, panels, security headers, and rate-limits', async () => {
    const fake = await startFake([{ text: 'All good.', usage: { inputTokens: 1_000, outputTokens: 20 } }]);
    const api = await openApi(workspace(), fake, { rateLimitPerMinute: 40 });
    const base = await listen(api);
    const tab = await openSocket(`${base}/ws/chat`);
    tab.send({ type: 'message', text: 'How are things?' });
    await tab.next((frame) => frame.type === 'run-end');

    const document = (await api.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> } }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.0.3');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/api/runs', '/api/runs/{id}/cancel', '/api/usage', '/api/servers', '/ws/chat']));
    const startRun = document.paths['/api/runs']!.post!.requestBody!.content['application/json']!.schema;
    expect(startRun.required).toEqual(['task']);
    expect(Object.keys(startRun.properties)).toEqual(['task', 'yes', 'maxSteps', 'budgetUsd']);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['ChatClientFrame', 'ChatEventFrame', 'Error']));

    const servers = (await api.inject({ method: 'GET', url: '/api/servers' })).json() as Array<{ name: string; state: string; tools: Array<{ name: string; annotations?: Record<string, unknown> }> }>;
    expect(servers).toEqual([expect.objectContaining({ name: 'notes', state: 'ready', trusted: true })]);
    expect(servers[0]!.tools.find((tool) => tool.name === 'add_note')).toMatchObject({ annotations: expect.objectContaining({ readOnlyHint: false }) });

    const usage = (await api.inject({ method: 'GET', url: '/api/usage?days=7' })).json() as { days: unknown[]; models: unknown[] };
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.days).toEqual([{ day: today, model: 'openai:gpt-4.1-mini', runs: 1, inputTokens: 1_000, outputTokens: 20, costUsd: expect.any(Number) }]);
    expect(usage.models).toEqual([expect.objectContaining({ model: 'openai:gpt-4.1-mini', runs: 1, inputTokens: 1_000 })]);
    expect((await api.inject({ method: 'GET', url: '/api/usage?days=0' })).statusCode).toBe(400);

    expect((await api.inject({ method: 'GET', url: '/api/panels' })).json()).toEqual({ deployments: false, systemHealth: false });
    expect((await api.inject({ method: 'GET', url: '/api/deployments' })).json()).toMatchObject({ error: { code: 'NOT_AVAILABLE' } });
    const badPage = await api.inject({ method: 'GET', url: '/api/deployments?environment=../etc' });
    expect(badPage.statusCode).toBe(400);
    expect(badPage.json()).toMatchObject({ error: { message: expect.stringContaining('query.environment') } });

    const page = await api.inject({ method: 'GET', url: '/', headers: { authorization: '' } });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    const statuses: number[] = [];
    for (let index = 0; index < 40; index += 1) statuses.push((await api.inject({ method: 'GET', url: '/health' })).statusCode);
    const limited = await api.inject({ method: 'GET', url: '/health' });
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('requests a minute') } });
  });
});
