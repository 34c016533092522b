/**
 * RunStore in-process, on `:memory:` SQLite: the only reader and writer of `runs` and `run_events`, and the place a
 * stored row is parsed (never cast) on the way out.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../contracts/index.js';
import { RunNotFoundError, StoredDataError } from '../shared/errors.js';
import { openStore, type Store } from './database.js';
import { appendEvents, finishRun, insertRun, RunStore, saveTotals } from './run-store.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/run-v0.json', import.meta.url), 'utf8')) as {
  run: Record<string, unknown> & { id: string };
  events: string[];
};

let store: Store;
let runs: RunStore;

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: false });
  runs = new RunStore(store.db);
});
afterEach(async () => {
  await store.close();
});

async function newRun(id: string, sessionId = 'session-1', startedAt = new Date().toISOString()): Promise<void> {
  await store.db.insertInto('sessions').values({ id: sessionId, title: 'test', created_at: new Date().toISOString() }).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await insertRun(store.db, { id, sessionId, task: 'check order XYZ-789', model: 'offline', startedAt, settings: { model: 'offline', yes: true, maxSteps: 5 } });
}

/** Writes a row the way another (older, newer or broken) release would have, around RunStore. */
async function rawRun(values: Record<string, unknown> & { id: string }, events: readonly string[] = []): Promise<void> {
  await store.db.insertInto('sessions').values({ id: String(values.session_id), title: 'raw', created_at: new Date().toISOString() }).onConflict((conflict) => conflict.column('id').doNothing()).execute();
  await store.db.insertInto('runs').values(values as never).execute();
  for (const [index, data] of events.entries()) {
    await store.db.insertInto('run_events').values({ run_id: values.id, seq: index + 1, type: 'raw', at: 0, data }).execute();
  }
}

describe('RunStore.load', () => {
  it('parses a run it wrote: settings, status, totals', async () => {
    await newRun('run-1');
    await saveTotals(store.db, 'run-1', { steps: 2, toolCalls: 1, inputTokens: 40, outputTokens: 9, costUsd: 0.002 });
    const run = await runs.load('run-1');
    expect(run).toMatchObject({ id: 'run-1', sessionId: 'session-1', status: 'running', step: 2, settings: { model: 'offline', yes: true, maxSteps: 5 } });
    expect(run.totals).toEqual({ steps: 2, toolCalls: 1, inputTokens: 40, outputTokens: 9, costUsd: 0.002 });
  });

  it('stores settings with their schemaVersion, and hands them back without it', async () => {
    await newRun('run-1');
    const row = await store.db.selectFrom('runs').select('options').where('id', '=', 'run-1').executeTakeFirstOrThrow();
    expect(JSON.parse(row.options)).toEqual({ schemaVersion: 1, model: 'offline', yes: true, maxSteps: 5 });
    expect((await runs.load('run-1')).settings).toEqual({ model: 'offline', yes: true, maxSteps: 5 });
  });

  it('throws RunNotFoundError naming the id for an unknown run', async () => {
    await expect(runs.load('nope')).rejects.toThrow(RunNotFoundError);
    await expect(runs.load('nope')).rejects.toThrow('No run nope.');
    expect(await runs.get('nope')).toBeUndefined();
    expect(await runs.exists('nope')).toBe(false);
  });

  // Invariant: a run stored before schemaVersion existed still loads (it has version 1's shape).
  it('reads a run stored before versions existed (fixture run-v0.json)', async () => {
    await rawRun(fixture.run, fixture.events);
    const run = await runs.load('run-v0');
    expect(run.settings).toEqual({ model: 'offline', yes: false, maxSteps: 8 });
    expect(run.status).toBe('paused');
    const events = await runs.events('run-v0');
    expect(events.map((event) => event.type)).toEqual(['run-start', 'step-start', 'run-end']);
  });

  // Invariant: a row that does not parse is an error naming the run, never a silent misread.
  it.each([
    ['not JSON', '{oops', 'its stored settings cannot be read: it is not JSON'],
    ['a newer release', JSON.stringify({ schemaVersion: 9, model: 'offline', yes: false }), 'schemaVersion 9, written by a newer Deckhand'],
    ['a wrong type', JSON.stringify({ model: 'offline', yes: 'sure' }), 'yes:'],
  ])('settings that are %s: StoredDataError naming the run', async (_what, options, message) => {
    await rawRun({ ...fixture.run, id: 'run-bad', options });
    const error = await runs.load('run-bad').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoredDataError);
    expect((error as StoredDataError).runId).toBe('run-bad');
    expect((error as Error).message).toContain('Run run-bad');
    expect((error as Error).message).toContain(message);
  });

  it('a status no release writes: StoredDataError', async () => {
    await rawRun({ ...fixture.run, id: 'run-odd', status: 'exploded' });
    await expect(runs.load('run-odd')).rejects.toThrow('Run run-odd: its stored status cannot be read: "exploded" is not a run status.');
  });
});

describe('RunStore.events', () => {
  const start: RunEvent = { type: 'run-start', runId: 'run-1', at: 1, sessionId: 'session-1', task: 't', model: 'offline', maxSteps: 5, budgetUsd: null };
  const end: RunEvent = { type: 'run-end', runId: 'run-1', at: 3, outcome: 'finished', text: 'done', totals: { steps: 1, toolCalls: 0, inputTokens: 5, outputTokens: 1, costUsd: 0 } };

  it('round-trips events exactly (schemaVersion stored, not handed back), in seq order, up to maxSeq', async () => {
    await newRun('run-1');
    const step: RunEvent = { type: 'step-start', runId: 'run-1', at: 2, step: 1 };
    await appendEvents(store.db, [
      { seq: 1, event: start },
      { seq: 2, event: step },
      { seq: 3, event: end },
    ]);
    await finishRun(store.db, end);
    expect(await runs.events('run-1')).toEqual([start, step, end]);
    expect(await runs.events('run-1', { maxSeq: 2 })).toEqual([start, step]);
    expect(await runs.lastSeq('run-1')).toBe(3);
    expect(await runs.lastSeq('nope')).toBe(0);
    const stored = await store.db.selectFrom('run_events').select('data').where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.data)).toMatchObject({ schemaVersion: 1, type: 'run-start' });
    expect(await runs.load('run-1')).toMatchObject({ status: 'finished', finalText: 'done', endedAt: new Date(3).toISOString() });
  });

  it('a damaged event names the run and its seq', async () => {
    await rawRun({ ...fixture.run, id: 'run-bad' }, [fixture.events[0]!.replace('run-v0', 'run-bad'), '{"type":"step-start","runId":"run-bad","at":1}']);
    await expect(runs.events('run-bad')).rejects.toThrow('Run run-bad: its stored event 2 cannot be read: step:');
  });

  it('session events come in insertion order across the session\'s runs', async () => {
    await newRun('run-1');
    await newRun('run-2');
    await appendEvents(store.db, [{ seq: 1, event: start }]);
    await appendEvents(store.db, [{ seq: 1, event: { ...start, runId: 'run-2' } }]);
    await appendEvents(store.db, [{ seq: 2, event: end }]);
    const events = await runs.sessionEvents('session-1');
    expect(events.map((entry) => [entry.runId, entry.seq])).toEqual([
      ['run-1', 1],
      ['run-2', 1],
      ['run-1', 2],
    ]);
  });

  it('lists a session\'s runs oldest first and the recent ones newest first, with their totals', async () => {
    await newRun('run-1', 'session-1', '2026-11-20T10:00:00.000Z');
    await newRun('run-2', 'session-1', '2026-11-20T11:00:00.000Z');
    expect((await runs.ofSession('session-1')).map((run) => run.id)).toEqual(['run-1', 'run-2']);
    expect((await runs.recent()).map((run) => run.id)).toEqual(['run-2', 'run-1']);
    expect((await runs.recent())[0]!.totals).toEqual({ steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });
});
