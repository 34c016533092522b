import type { RunSettings } from '../../agent/durable-run.js';
import { startRun } from '../../agent/durable-run.js';
import { openRuntime, runContext } from '../../app/runtime.js';
import { driveRun } from '../drive.js';
import { exitCodeFor } from '../exit-codes.js';
import { printHeader } from '../header.js';

export interface RunCommandOptions {
  /** `--model`, given once or more (a fallback chain). */
  readonly model?: readonly string[];
  readonly json?: boolean;
  readonly yes?: boolean;
  readonly session?: string;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
  readonly budgetTokens?: number;
}

/**
 * `deckhand run "<task>"`: one autonomous run; resolves to the process exit code. At a terminal, a call that
 * needs approval is asked about there; otherwise the run pauses (exit 3) and says how to approve and resume.
 */
export async function runCommand(task: string, options: RunCommandOptions): Promise<number> {
  await using runtime = await openRuntime({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.budgetTokens !== undefined ? { budgetTokens: options.budgetTokens } : {}),
  });
  const json = options.json === true;
  if (!json) printHeader(runtime, process.stdout, process.stderr);
  const settings: RunSettings = {
    model: runtime.model.id,
    yes: options.yes === true,
    ...(runtime.settings.maxSteps !== undefined ? { maxSteps: runtime.settings.maxSteps } : {}),
    ...(runtime.settings.budgetUsd !== undefined ? { budgetUsd: runtime.settings.budgetUsd } : {}),
    ...(runtime.settings.budget.run?.tokens !== undefined ? { budgetTokens: runtime.settings.budget.run.tokens } : {}),
    ...(runtime.settings.fallbackModelIds.length > 0 ? { fallbackModels: runtime.settings.fallbackModelIds } : {}),
  };
  const outcome = await driveRun(
    runtime,
    (signal) => startRun(runContext(runtime, signal), { task, settings, ...(options.session ? { sessionId: options.session } : {}) }),
    { json, interactive: !json && process.stdin.isTTY === true, settings },
  );
  return exitCodeFor(outcome);
}
