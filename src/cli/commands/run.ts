import { planStart, startSettings } from '../../app/runs.js';
import { openRuntime } from '../../app/runtime.js';
import { driveRun } from '../drive.js';
import { exitCodeFor } from '../exit-codes.js';
import { printHeader } from '../header.js';
import { UsageError } from '../../shared/errors.js';

/** Most bytes of a task read from stdin (`deckhand run -`). */
const MAX_STDIN_TASK_BYTES = 1_048_576;

/** `deckhand run -`: the whole of stdin is the task. */
async function readTaskFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('`deckhand run -` reads the task from stdin; pipe it in: echo "check order XYZ-789" | deckhand run -');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_TASK_BYTES) throw new UsageError(`The task on stdin is over ${MAX_STDIN_TASK_BYTES / 1_048_576} MiB; shorten it.`);
    chunks.push(chunk);
  }
  const task = Buffer.concat(chunks).toString('utf8').trim();
  if (task === '') throw new UsageError('`deckhand run -` got an empty task on stdin; pipe the task in: echo "check order XYZ-789" | deckhand run -');
  return task;
}

export interface RunCommandOptions {
  /** `--model`, given once or more (a fallback chain). */
  readonly model?: readonly string[];
  readonly json?: boolean;
  readonly quiet?: boolean;
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
export async function runCommand(taskArgument: string, options: RunCommandOptions): Promise<number> {
  if (options.json && options.quiet) throw new UsageError('--quiet and --json do not go together: --json prints every event, --quiet only the answer.');
  const fromStdin = taskArgument === '-';
  const task = fromStdin ? await readTaskFromStdin() : taskArgument;
  await using runtime = await openRuntime({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.budgetTokens !== undefined ? { budgetTokens: options.budgetTokens } : {}),
  });
  const json = options.json === true;
  const quiet = options.quiet === true;
  if (!json && !quiet) printHeader(runtime, process.stdout, process.stderr);
  // The flags are in the runtime's settings already (it was opened with them); `--yes` is this command's own.
  const settings = startSettings(runtime.settings, { yes: options.yes === true });
  const outcome = await driveRun(
    runtime,
    planStart({ task, settings, ...(options.session ? { sessionId: options.session } : {}) }),
    // The terminal can answer approval prompts only when stdin is not where the task came from.
    { json, quiet, interactive: !json && !fromStdin && process.stdin.isTTY === true },
  );
  return exitCodeFor(outcome);
}
