import { randomUUID } from 'node:crypto';
import type { RunOutcome } from '../../agent/events.js';
import { runAgent } from '../../agent/run-agent.js';
import { SYSTEM_PROMPT } from '../../agent/system-prompt.js';
import type { ModelMessage } from '../../models/types.js';
import { RunRecorder } from '../../store/run-recorder.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { printHeader } from '../header.js';
import { createRenderer } from '../render.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { onInterrupt } from '../interrupt.js';

export interface RunCommandOptions {
  readonly model?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
  readonly session?: string;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
}

/** `deckhand run "<task>"`: one autonomous run; resolves to the process exit code. */
export async function runCommand(task: string, options: RunCommandOptions): Promise<number> {
  await using runtime = await openRuntime({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
  });
  if (!options.json) printHeader(runtime, process.stdout, process.stderr);
  const messages: ModelMessage[] = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: task },
  ];
  const outcome = await executeRun(runtime, { task, messages, sessionId: options.session ?? randomUUID(), json: options.json === true });
  return exitCodeFor(outcome);
}

/**
 * Runs the loop once over `messages`, rendering and persisting every event; Ctrl-C cancels the run
 * cleanly (the step in flight is aborted, what happened so far is recorded), a second Ctrl-C exits at once.
 */
export async function executeRun(
  runtime: Runtime,
  options: { task: string; messages: ModelMessage[]; sessionId: string; json: boolean },
): Promise<RunOutcome> {
  const controller = new AbortController();
  const render = createRenderer({
    json: options.json,
    out: process.stdout,
    err: process.stderr,
    priced: runtime.price !== undefined,
    offline: runtime.model.provider === 'offline',
  });
  const recorder = new RunRecorder(runtime.store);
  using _interrupt = onInterrupt(() => {
    if (!options.json) process.stderr.write('\nCancelling… (Ctrl-C again to quit at once)\n');
    controller.abort(new Error('cancelled by the user'));
  }, EXIT.cancelled);
  const run = runAgent({
    model: runtime.model,
    tools: runtime.host,
    messages: options.messages,
    task: options.task,
    sessionId: options.sessionId,
    signal: controller.signal,
    ...(runtime.settings.maxSteps !== undefined ? { maxSteps: runtime.settings.maxSteps } : {}),
    ...(runtime.settings.budgetUsd !== undefined ? { budgetUsd: runtime.settings.budgetUsd } : {}),
    ...(runtime.price ? { price: runtime.price } : {}),
  });
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
    await recorder.record(next.value);
    render(next.value);
  }
}
