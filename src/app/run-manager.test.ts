/**
 * RunManager in process, over a `:memory:` store with no MCP servers and a scripted model: how a resume meets a
 * run whose end is stored while its executor still holds the lease (the few milliseconds before it gives it back).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../config/load.js';
import { ZERO_TOTALS } from '../contracts/index.js';
import { ScriptedModel } from '../models/testing/scripted-model.js';
import { noopLogger } from '../shared/logger.js';
import { openStore } from '../store/database.js';
import { RunLeases } from '../store/run-lease.js';
import { RunRecorder } from '../store/run-recorder.js';
import { RunManager, type ScaleOut } from './run-manager.js';
import { RunConflictError } from './run-errors.js';
import type { Runtime } from './runtime.js';
import { serverlessRuntime } from './testing/serverless-runtime.js';
import { loadRun } from './runs.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openRuntime(model: ScriptedModel): Promise<Runtime> {
  const home = mkdtempSync(join(tmpdir(), 'deckhand-run-manager-'));
  writeFileSync(join(home, 'deckhand.json'), JSON.stringify({ builtinServers: [] }));
  const settings = loadSettings({ env: { DECKHAND_HOME: home, DECKHAND_LOG_LEVEL: 'silent' }, cwd: home });
  const runtime = await serverlessRuntime(settings, await openStore({ file: ':memory:', seed: false }), model);
  cleanups.push(() => runtime.close());
  return runtime;
}

/**
 * Records a run that executed under `leases` and ended `cancelled` (resumable), leaving its lease held as an
 * executor does between storing the run-end and giving the lease back. Resolves with the release.
 */
async function endedRunStillLeased(runtime: Runtime, runId: string): Promise<() => Promise<void>> {
  const lease = await runtime.leases.hold(runId);
  const settings = { model: runtime.model.id, yes: false };
  const recorder = new RunRecorder(runtime.store, { sessionId: `session-${runId}`, preamble: 1, storedMessages: 0, settings });
  const at = Date.now();
  await recorder.record({ type: 'run-start', runId, at, sessionId: `session-${runId}`, task: 'say done', model: runtime.model.id, maxSteps: 10, budgetUsd: null });
  await recorder.record({ type: 'run-end', runId, at: at + 1, outcome: 'cancelled', text: 'Cancelled.', totals: ZERO_TOTALS });
  return () => lease.release();
}

/** A scale-out that only answers what `isExecutingAnywhere` and the constructor ask of it. */
const idleScaleOut: ScaleOut = {
  queue: { enqueue: async () => 'job' },
  follower: { followRun: async () => () => {}, waitForRun: async () => true },
  feed: { onControl: () => () => {}, requestCancel: async () => {} },
};

describe('RunManager.resume: a run whose end is stored while its lease is being given back', () => {
  // Invariant: once a run's end is stored, a resume is never answered "executing" because the lease lingers.
  it('resumes the run once the lease is back, instead of answering RUN_EXECUTING', async () => {
    const runtime = await openRuntime(new ScriptedModel([{ text: 'Done.' }]));
    const release = await endedRunStillLeased(runtime, 'run-lingering');
    await using runs = new RunManager({ runtime, logger: noopLogger });
    // The executor gives the lease back a little later, as it does after handing the run-end on.
    setTimeout(() => void release(), 50);
    await expect(runs.resume('run-lingering')).resolves.toEqual({ runId: 'run-lingering', sessionId: 'session-run-lingering' });
    for (let waited = 0; (await loadRun(runtime.store, 'run-lingering')).status === 'running' && waited < 200; waited++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await loadRun(runtime.store, 'run-lingering')).status).toBe('finished');
  });

  it('with a scale-out, does not count the ended run as executing anywhere; a lease taken after the end it does', async () => {
    const runtime = await openRuntime(new ScriptedModel([]));
    const release = await endedRunStillLeased(runtime, 'run-ended');
    await using runs = new RunManager({ runtime, logger: noopLogger, scaleOut: idleScaleOut });
    expect(await runs.isExecutingAnywhere('run-ended')).toBe(false);
    await release();
    // A new executor (a resume elsewhere) took the lease after the stored end, and has not reopened the run yet.
    const later = new RunLeases(runtime.store.db, { now: () => Date.now() + 1_000 });
    await using _resumedElsewhere = await later.hold('run-ended');
    expect(await runs.isExecutingAnywhere('run-ended')).toBe(true);
    await expect(runs.resume('run-ended')).rejects.toThrow(RunConflictError);
  });
});
