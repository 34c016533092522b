import { loadRun, type RunSettings, resumeRun } from '../../agent/durable-run.js';
import { openRuntime, runContext } from '../../app/runtime.js';
import { driveRun } from '../drive.js';
import { exitCodeFor } from '../exit-codes.js';
import { withSettingsStore } from '../settings-store.js';

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
 * it started with unless given again. A finished run is left as it is.
 */
export async function resumeCommand(runId: string, options: ResumeCommandOptions): Promise<number> {
  const stored = await peekRun(runId);
  if (!stored.resumable) {
    process.stdout.write(`Run ${runId} already ${stored.status === 'finished' ? 'finished' : `ended (${stored.status})`}; nothing to resume.\n`);
    return 0;
  }
  const [model, ...fallbacks] = options.model ?? [stored.settings.model, ...(stored.settings.fallbackModels ?? [])];
  const maxSteps = options.maxSteps ?? stored.settings.maxSteps;
  const budgetUsd = options.budgetUsd ?? stored.settings.budgetUsd;
  const budgetTokens = options.budgetTokens ?? stored.settings.budgetTokens;
  const settings: RunSettings = {
    model: model!,
    yes: options.yes ?? stored.settings.yes,
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    ...(budgetTokens !== undefined ? { budgetTokens } : {}),
    ...(fallbacks.length > 0 ? { fallbackModels: fallbacks } : {}),
  };
  await using runtime = await openRuntime({ model: [settings.model, ...fallbacks] });
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
