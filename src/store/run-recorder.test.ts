import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachStore } from '../../test/helpers/postgres.js';
import type { RunEvent, RunTotals } from '../contracts/index.js';
import type { ModelMessage } from '../models/types.js';
import { type OpenStoreOptions, openStore, type Store } from './database.js';
import { RunRecorder } from './run-recorder.js';
import { RunStore } from './run-store.js';

const TOTALS: RunTotals = { steps: 1, toolCalls: 1, inputTokens: 10, outputTokens: 2, costUsd: 0.001 };
const CALL = { id: 'c1', name: 'crm__get', input: { id: 'C-1' } };

/** What the loop's producer saw in the store at a point of its run. */
interface Probe {
  readonly after: RunEvent['type'] | 'checkpoint';
  readonly stored: readonly string[];
  readonly messages: number;
}

/**
 * A loop of two tool steps and an answer, producing its events back to back (no I/O, like a zero-latency model and
 * an in-process tool), calling `checkpoint` where `runAgent` does. After each event it looks at the store, as a
 * tool starting its side effect would, and notes what it found.
 */
async function* loop(runId: string, sessionId: string, store: Store, recorder: RunRecorder, probes: Probe[]): AsyncGenerator<RunEvent, 'finished'> {
  const messages: ModelMessage[] = [{ role: 'system', content: 'system' }, { role: 'user', content: 'task' }];
  const look = async (after: Probe['after']) => {
    const stored = (await new RunStore(store.db).events(runId)).map((event) => event.type);
    const rows = await store.db.selectFrom('session_messages').select('seq').where('session_id', '=', sessionId).execute();
    probes.push({ after, stored, messages: rows.length });
  };
  let at = 0;
  const event = <T extends RunEvent['type']>(type: T, fields: object): RunEvent => ({ type, runId, at: ++at, ...fields }) as RunEvent;
  yield event('run-start', { sessionId, task: 'task', model: 'scripted', maxSteps: 5, budgetUsd: null });
  for (let step = 1; step <= 2; step++) {
    yield event('step-start', { step });
    yield event('usage', { step, usage: { inputTokens: 10, outputTokens: 2 }, costUsd: 0.001, totals: TOTALS, model: 'scripted', kind: 'step' });
    messages.push({ role: 'assistant', text: '', toolCalls: [{ ...CALL, id: `c${step}` }] });
    yield event('tool-call', { step, toolCallId: `c${step}`, server: 'crm', tool: 'get', args: CALL.input });
    await recorder.checkpoint({ runId, messages, step, totals: TOTALS });
    await look('checkpoint');
    yield event('tool-start', { step, toolCallId: `c${step}`, server: 'crm', tool: 'get', args: CALL.input });
    await look('tool-start');
    yield event('tool-result', { step, toolCallId: `c${step}`, server: 'crm', tool: 'get', summary: 'ok', output: 'ok', durationMs: 1 });
    messages.push({ role: 'tool', results: [{ toolCallId: `c${step}`, toolName: CALL.name, output: 'ok', isError: false }] });
    yield event('step-end', { step, finishReason: 'tool-calls' });
    await recorder.checkpoint({ runId, messages, step, totals: TOTALS });
    await look('step-end');
  }
  yield event('run-end', { outcome: 'finished', text: 'done', totals: TOTALS });
  return 'finished';
}

function recorderContract(name: string, options: () => OpenStoreOptions) {
  describe(`RunRecorder.persisted: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await openStore({ ...options(), seed: false });
    });
    afterAll(async () => {
      await store?.close();
    });

    it('passes each event on only once it is stored, and commits back-to-back events together', async () => {
      const runId = `run-${name}-1`;
      const sessionId = `session-${name}-1`;
      // The time bound on a group is lifted: on a loaded machine the probes' own queries would close groups early.
      const recorder = new RunRecorder(store, { sessionId, preamble: 1, storedMessages: 0, settings: { model: 'scripted', yes: false }, maxStagedMs: 60_000 });
      const probes: Probe[] = [];
      const shown: Array<{ type: string; storedWhenShown: boolean; messagesWhenShown: number }> = [];
      const run = recorder.persisted(loop(runId, sessionId, store, recorder, probes));
      let outcome: string | undefined;
      for (;;) {
        const next = await run.next();
        if (next.done) {
          outcome = next.value;
          break;
        }
        const stored = await new RunStore(store.db).events(runId);
        const rows = await store.db.selectFrom('session_messages').select('seq').where('session_id', '=', sessionId).execute();
        shown.push({ type: next.value.type, storedWhenShown: stored.some((event) => event.at === next.value.at), messagesWhenShown: rows.length });
      }
      expect(outcome).toBe('finished');
      // Persist, then emit: every event was in the store when it was shown, in order, with seqs 1…n.
      expect(shown.every((event) => event.storedWhenShown)).toBe(true);
      const events = await new RunStore(store.db).eventsOfType(runId, ['run-start', 'step-start', 'usage', 'tool-call', 'tool-start', 'tool-result', 'step-end', 'run-end']);
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: events.length }, (_, index) => index + 1));
      expect(events.map((event) => event.event.type)).toEqual(shown.map((event) => event.type));
      // A step's end is shown only with its results stored: the task, then two messages per step.
      const ends = shown.filter((event) => event.type === 'step-end');
      expect(ends.map((event, index) => event.messagesWhenShown >= 1 + 2 * (index + 1))).toEqual([true, true]);
      // A call that may change something: its tool-start is a barrier. The assistant turn and the start are stored
      // before the loop goes on to run the call, and each step is one commit there.
      const starts = probes.filter((probe) => probe.after === 'tool-start');
      const firstStep = ['step-start', 'usage', 'tool-call', 'tool-start'];
      expect(starts[0]).toEqual({ after: 'tool-start', stored: ['run-start', ...firstStep], messages: 2 });
      expect(starts[1]).toEqual({ after: 'tool-start', stored: ['run-start', ...firstStep, 'tool-result', 'step-end', ...firstStep], messages: 4 });
      // Grouped: nothing is written one by one as it comes. On SQLite the checkpoint before the calls writes
      // nothing (the barrier will), and a step's result, end and checkpoint wait for the next step's barrier. (On
      // PostgreSQL the probe's own query is I/O: the recorder sees the loop wait and commits what is staged
      // meanwhile, so only SQLite shows it.)
      if (name === 'sqlite') {
        expect(probes[0]).toEqual({ after: 'checkpoint', stored: ['run-start'], messages: 0 });
        expect(probes.find((probe) => probe.after === 'step-end')).toEqual({ after: 'step-end', stored: ['run-start', ...firstStep], messages: 2 });
      }
      const run1 = await store.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
      expect(run1).toMatchObject({ status: 'finished', steps: 1, final_text: 'done' });
      const calls = await store.db.selectFrom('model_calls').select('step').where('run_id', '=', runId).execute();
      expect(calls.map((call) => call.step)).toEqual([1, 2]);
    });

    it('commits a step whose calls all change nothing once, at its end, with its results', async () => {
      const runId = `run-${name}-5`;
      const sessionId = `session-${name}-5`;
      const recorder = new RunRecorder(store, {
        sessionId,
        preamble: 1,
        storedMessages: 0,
        settings: { model: 'scripted', yes: false },
        changesNothing: (tool) => tool === CALL.name,
        maxStagedMs: 60_000,
      });
      const probes: Probe[] = [];
      const shown: Array<{ type: string; storedWhenShown: boolean }> = [];
      for await (const event of recorder.persisted(loop(runId, sessionId, store, recorder, probes))) {
        const stored = await new RunStore(store.db).events(runId);
        shown.push({ type: event.type, storedWhenShown: stored.some((candidate) => candidate.at === event.at) });
      }
      expect(shown.every((event) => event.storedWhenShown)).toBe(true);
      const wholeStep = ['step-start', 'usage', 'tool-call', 'tool-start', 'tool-result', 'step-end'];
      const ends = probes.filter((probe) => probe.after === 'step-end');
      // Each step is stored whole by the checkpoint at its end: the turn, the call's start and result, two messages.
      expect(ends).toEqual([
        { after: 'step-end', stored: ['run-start', ...wholeStep], messages: 3 },
        { after: 'step-end', stored: ['run-start', ...wholeStep, ...wholeStep], messages: 5 },
      ]);
      if (name === 'sqlite') {
        // Nothing of a step is written before its end: the read's start is no barrier.
        expect(probes.find((probe) => probe.after === 'tool-start')).toEqual({ after: 'tool-start', stored: ['run-start'], messages: 0 });
      }
    });

    it('flush commits the staged step at once, for a write elsewhere that refers to it', async () => {
      const runId = `run-${name}-6`;
      const sessionId = `session-${name}-6`;
      const recorder = new RunRecorder(store, { sessionId, preamble: 1, storedMessages: 0, settings: { model: 'scripted', yes: false } });
      const seen: string[][] = [];
      async function* gated(): AsyncGenerator<RunEvent, 'paused'> {
        yield { type: 'run-start', runId, at: 1, sessionId, task: 'task', model: 'scripted', maxSteps: 5, budgetUsd: null };
        yield { type: 'step-start', runId, at: 2, step: 1 };
        const messages: ModelMessage[] = [{ role: 'system', content: 'system' }, { role: 'user', content: 'task' }, { role: 'assistant', text: '', toolCalls: [CALL] }];
        await recorder.checkpoint({ runId, messages, step: 1, totals: TOTALS });
        // A gate about to store an approval for this step's call flushes first.
        await recorder.flush();
        seen.push((await new RunStore(store.db).events(runId)).map((event) => event.type));
        yield { type: 'run-end', runId, at: 3, outcome: 'paused', text: 'paused', totals: TOTALS };
        return 'paused';
      }
      for await (const _event of recorder.persisted(gated()));
      expect(seen).toEqual([['run-start', 'step-start']]);
      const rows = await store.db.selectFrom('session_messages').select('seq').where('session_id', '=', sessionId).execute();
      expect(rows).toHaveLength(2);
    });

    it('writes nothing more once stopped (another process took the run)', async () => {
      const runId = `run-${name}-2`;
      const sessionId = `session-${name}-2`;
      const recorder = new RunRecorder(store, { sessionId, preamble: 1, storedMessages: 0, settings: { model: 'scripted', yes: false } });
      const stop = new AbortController();
      const shown: string[] = [];
      const run = recorder.persisted(loop(runId, sessionId, store, recorder, []), { stop: stop.signal });
      await expect(
        (async () => {
          for await (const event of run) {
            shown.push(event.type);
            if (event.type === 'tool-start') stop.abort(new Error('lease lost'));
          }
        })(),
      ).rejects.toThrow('lease lost');
      const stored = (await new RunStore(store.db).events(runId)).map((event) => event.type);
      // The next event arrived after the stop: neither it nor anything after it was written.
      expect(stored).toEqual(['run-start', 'step-start', 'usage', 'tool-call', 'tool-start']);
      expect(shown).toEqual(stored);
    });

    it('record and checkpoint on their own store at once', async () => {
      const runId = `run-${name}-3`;
      const sessionId = `session-${name}-3`;
      const recorder = new RunRecorder(store, { sessionId, preamble: 0, storedMessages: 0, settings: { model: 'scripted', yes: false } });
      await recorder.record({ type: 'run-start', runId, at: 1, sessionId, task: 'task', model: 'scripted', maxSteps: 5, budgetUsd: null });
      await recorder.record({ type: 'step-start', runId, at: 2, step: 1 });
      expect((await new RunStore(store.db).events(runId)).map((event) => event.type)).toEqual(['run-start', 'step-start']);
      await recorder.checkpoint({ runId, messages: [{ role: 'user', content: 'task' }, { role: 'assistant', text: 'done', toolCalls: [] }], step: 1, totals: TOTALS });
      const rows = await store.db.selectFrom('session_messages').select(['seq', 'role']).where('session_id', '=', sessionId).orderBy('seq').execute();
      expect(rows).toEqual([{ seq: 1, role: 'user' }, { seq: 2, role: 'assistant' }]);
      expect(Number((await store.db.selectFrom('runs').select('steps').where('id', '=', runId).executeTakeFirstOrThrow()).steps)).toBe(1);
    });

    it('shows a fast stream of text deltas as it goes, not only once the answer ends', async () => {
      // Invariant: each delta arrives within a turn of the event loop (a fast provider, many sessions at once), so
      // the loop never looks "waiting"; a commit group still closes within a bounded time and is passed on.
      const runId = `run-${name}-4`;
      const sessionId = `session-${name}-4`;
      const recorder = new RunRecorder(store, { sessionId, preamble: 0, storedMessages: 0, settings: { model: 'scripted', yes: false } });
      const DELTAS = 60; // fewer than a commit group's event limit: only the time bound closes a group early
      let produced = 0;
      async function* stream(): AsyncGenerator<RunEvent, 'finished'> {
        yield { type: 'run-start', runId, at: 1, sessionId, task: 'task', model: 'scripted', maxSteps: 5, budgetUsd: null };
        yield { type: 'step-start', runId, at: 2, step: 1 };
        for (let index = 0; index < DELTAS; index++) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          const until = performance.now() + 0.2;
          while (performance.now() < until); // a provider's parsing: 60 deltas take ≥ 12 ms in all
          produced += 1;
          yield { type: 'text-delta', runId, at: 3 + index, step: 1, text: `w${index} ` };
        }
        yield { type: 'run-end', runId, at: 1_000, outcome: 'finished', text: 'done', totals: TOTALS };
        return 'finished';
      }
      let producedAtFirstDelta: number | undefined;
      for await (const event of recorder.persisted(stream())) {
        if (event.type === 'text-delta' && producedAtFirstDelta === undefined) producedAtFirstDelta = produced;
      }
      expect(producedAtFirstDelta).toBeLessThan(DELTAS);
      expect(await new RunStore(store.db).events(runId)).toHaveLength(DELTAS + 3);
    });
  });
}

await forEachStore('RunRecorder.persisted', recorderContract);
