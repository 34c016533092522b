import { isResumable, loadRun, resumeSettings, RunNotFoundError, type StoredRun } from '../../app/runs.js';
import { openRuntime } from '../../app/runtime.js';
import { withSettingsStore } from '../../app/store.js';
import { loadSettings } from '../../config/load.js';
import { UsageError } from '../../shared/errors.js';
import { driveRun } from '../drive.js';
import { exitCodeFor } from '../exit-codes.js';

export interface ResumeCommandOptions {
  /** `--model`, given once or more (a fallback chain). */
  readonly model?: readonly string[];
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
  readonly budgetTokens?: number;
}

/**
 * `deckhand resume RUN_ID`: continues a paused (or interrupted) run from its persisted state, with the options
 * it started with unless given again (`app/run-settings.ts` has the precedence). A finished run is left as it is.
 */
export async function resumeCommand(runId: string, options: ResumeCommandOptions): Promise<number> {
  const stored = await peekRun(runId);
  if (!isResumable(stored)) {
    process.stdout.write(`Run ${runId} already ${stored.status === 'finished' ? 'finished' : `ended (${stored.status})`}; nothing to resume.\n`);
    return 0;
  }
  const settings = resumeSettings(loadSettings({}), stored, {
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.yes !== undefined ? { yes: options.yes } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.budgetTokens !== undefined ? { budgetTokens: options.budgetTokens } : {}),
  });
  // The runtime opens the run's model chain, which may differ from the configured one.
  await using runtime = await openRuntime({ model: [settings.model, ...(settings.fallbackModels ?? [])] });
  const run = await loadRun(runtime.store, runId);
  const json = options.json === true;
  if (!json) process.stdout.write(`Resuming run ${runId} (step ${run.step}, ${run.totals.toolCalls} tool calls so far) in session ${run.sessionId}\n`);
  const outcome = await driveRun(runtime, { kind: 'resume', run, settings }, { json, interactive: !json && process.stdin.isTTY === true });
  return exitCodeFor(outcome);
}

/** Reads the run before the servers start: its model decides which provider to open. */
async function peekRun(runId: string): Promise<StoredRun> {
  try {
    return await withSettingsStore((store) => loadRun(store, runId));
  } catch (error) {
    if (error instanceof RunNotFoundError) {
      throw new UsageError(`No run ${runId}. List recent runs with \`deckhand sessions\` or pending approvals with \`deckhand approvals list\`.`);
    }
    throw error;
  }
}
