import { loadRun, type RunSettings, resumeRun } from '../../agent/durable-run.js';
import { openRuntime, runContext } from '../../app/runtime.js';
import { driveRun } from '../drive.js';
import { exitCodeFor } from '../exit-codes.js';
import { withSettingsStore } from '../settings-store.js';

export interface ResumeCommandOptions {
  readonly model?: string;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
}

/**
 * `deckhand resume RUN_ID`: continues a paused (or interrupted) run from its persisted state, with the options
 * it started with unless given again. A finished run is left as it is.
 */
export async function resumeCommand(runId: string, options: ResumeCommandOptions): Promise<number> {
  const stored = await peekRun(runId);
  if (!stored.resumable) {
    process.stdout.write(`Run ${runId} already ${stored.status === 'finished' ? 'finished' : `ended (${stored.status})`}; nothing to resume.\n`);
    return 0;
  }
  const settings: RunSettings = {
    model: options.model ?? stored.settings.model,
    yes: options.yes ?? stored.settings.yes,
    ...((options.maxSteps ?? stored.settings.maxSteps) !== undefined ? { maxSteps: options.maxSteps ?? stored.settings.maxSteps } : {}),
    ...((options.budgetUsd ?? stored.settings.budgetUsd) !== undefined ? { budgetUsd: options.budgetUsd ?? stored.settings.budgetUsd } : {}),
  };
  await using runtime = await openRuntime({ model: settings.model });
  const run = await loadRun(runtime.store, runId);
  const json = options.json === true;
  if (!json) process.stdout.write(`Resuming run ${runId} (step ${run.step}, ${run.totals.toolCalls} tool calls so far) in session ${run.sessionId}\n`);
  const outcome = await driveRun(runtime, (signal) => resumeRun(runContext(runtime, signal), run, settings), {
    json,
    interactive: !json && process.stdin.isTTY === true,
    settings,
  });
  return exitCodeFor(outcome);
}

/** Reads the run before the servers start: its model decides which provider to open. */
function peekRun(runId: string) {
  return withSettingsStore((store) => loadRun(store, runId));
}
