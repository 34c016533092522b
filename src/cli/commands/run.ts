import type { RunPlan } from '../../app/runs.js';
import type { Runtime } from '../../app/runtime.js';
import { startServersEarly } from '../../app/early-servers.js';
import { loadSettings } from '../../config/load.js';
import type { RunOutcome } from '../../contracts/index.js';
import { exitCodeFor } from '../exit-codes.js';
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
  /** Enqueue the run for any worker and follow it from the store (PostgreSQL only). */
  readonly queue?: boolean;
}

/**
 * `deckhand run "<task>"`: one autonomous run; resolves to the process exit code. At a terminal, a call that
 * needs approval is asked about there; otherwise the run pauses (exit 3) and says how to approve and resume.
 */
export async function runCommand(taskArgument: string, options: RunCommandOptions): Promise<number> {
  if (options.json && options.quiet) throw new UsageError('--quiet and --json do not go together: --json prints every event, --quiet only the answer.');
  // Checked before anything starts: on SQLite there is no queue to put the run in.
  if (options.queue) (await import('../../queue/scale-out.js')).requirePostgres(loadSettings({ flags: {} }).databaseUrl, '`deckhand run --queue`');
  const fromStdin = taskArgument === '-';
  const task = fromStdin ? await readTaskFromStdin() : taskArgument;
  const flags = {
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.budgetTokens !== undefined ? { budgetTokens: options.budgetTokens } : {}),
  };
  // The built-in servers' process is spawned before the runtime's code (the loop, the providers, the store: about
  // 3 MB) is even loaded, so that its start overlaps all of it; hence the imports below are dynamic.
  const early = startServersEarly(flags);
  const [{ planStart, startSettings }, { openRuntime }, { driveRun }, { printHeader }] = await Promise.all([
    import('../../app/runs.js'),
    import('../../app/runtime.js'),
    import('../drive.js'),
    import('../header.js'),
  ]).catch(async (error: unknown) => {
    await early.prestarted.close();
    throw error;
  });
  await using runtime = await openRuntime(flags, early);
  const json = options.json === true;
  const quiet = options.quiet === true;
  if (!json && !quiet) printHeader(runtime, process.stdout, process.stderr);
  // The flags are in the runtime's settings already (it was opened with them); `--yes` is this command's own.
  const settings = startSettings(runtime.settings, { yes: options.yes === true });
  const plan = planStart({ task, settings, ...(options.session ? { sessionId: options.session } : {}) });
  if (options.queue) return exitCodeFor(await runQueued(runtime, plan, { json, quiet }));
  const outcome = await driveRun(
    runtime,
    plan,
    // The terminal can answer approval prompts only when stdin is not where the task came from.
    { json, quiet, interactive: !json && !fromStdin && process.stdin.isTTY === true },
  );
  return exitCodeFor(outcome);
}

/** `deckhand run --queue`: the run goes to the queue, any worker executes it, and it is followed here until it ends. */
async function runQueued(runtime: Runtime, plan: RunPlan & { kind: 'start' }, options: { json: boolean; quiet: boolean }): Promise<RunOutcome> {
  const { openScaleOut, followQueuedRun } = await import('../../queue/index.js');
  const { driveRun } = await import('../drive.js');
  await using scaleOut = await openScaleOut({ databaseUrl: runtime.settings.databaseUrl!, db: runtime.store.db, role: 'cli', logger: runtime.logger, client: true });
  const job = { schemaVersion: 1 as const, kind: 'start' as const, runId: plan.runId, sessionId: plan.sessionId, task: plan.task, settings: plan.settings };
  // Approvals are decided wherever the run is followed from (here it pauses and says how to resume): the run executes elsewhere.
  // Awaited here: returning the promise would dispose of the queue and feed before the run is followed.
  return await driveRun(runtime, plan, { ...options, interactive: false, events: (signal) => followQueuedRun(scaleOut, job, signal) });
}
