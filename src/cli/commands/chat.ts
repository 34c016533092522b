import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { type RunSettings, startRun } from '../../agent/durable-run.js';
import { SessionStore } from '../../store/session-store.js';
import { openRuntime, runContext } from '../../app/runtime.js';
import { driveRun } from '../drive.js';
import { EXIT } from '../exit-codes.js';
import { printHeader } from '../header.js';

export interface ChatCommandOptions {
  /** `--model`, given once or more (a fallback chain). */
  readonly model?: readonly string[];
  readonly session?: string;
  readonly yes?: boolean;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
  readonly budgetTokens?: number;
}

/**
 * `deckhand chat`: a conversation over several turns. Every turn is a run in the same session; the session's
 * transcript is stored as it grows, so `--session ID` continues it with full context, even after a restart.
 * Reads lines from stdin (interactive or piped); ends on `/exit` or end of input.
 */
export async function chatCommand(options: ChatCommandOptions): Promise<number> {
  await using runtime = await openRuntime({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.budgetTokens !== undefined ? { budgetTokens: options.budgetTokens } : {}),
  });
  printHeader(runtime, process.stdout, process.stderr);
  const sessionId = options.session ?? randomUUID();
  const earlier = await new SessionStore(runtime.store.db).count(sessionId);
  process.stdout.write(
    `  session  ${sessionId}${earlier > 0 ? ` (continuing: ${earlier} earlier messages)` : ''}\nType a task, /help for commands, /exit to leave.\n`,
  );
  const settings: RunSettings = {
    model: runtime.model.id,
    yes: options.yes === true,
    ...(runtime.settings.maxSteps !== undefined ? { maxSteps: runtime.settings.maxSteps } : {}),
    ...(runtime.settings.budgetUsd !== undefined ? { budgetUsd: runtime.settings.budgetUsd } : {}),
    ...(runtime.settings.budget.run?.tokens !== undefined ? { budgetTokens: runtime.settings.budget.run.tokens } : {}),
    ...(runtime.settings.fallbackModelIds.length > 0 ? { fallbackModels: runtime.settings.fallbackModelIds } : {}),
  };
  const interactive = process.stdin.isTTY === true;
  let lastExit: number = EXIT.ok;
  // Lines are read one at a time so an approval prompt in between can use the terminal too.
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  const queue: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  lines.on('line', (line) => {
    queue.push(line);
    wake?.();
  });
  lines.on('close', () => {
    closed = true;
    wake?.();
  });
  const nextLine = async (): Promise<string | undefined> => {
    while (queue.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift();
  };
  try {
    for (;;) {
      process.stdout.write('\nyou › ');
      const raw = await nextLine();
      if (raw === undefined) break;
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/help') {
        process.stdout.write('Commands: /exit leaves, /help shows this. Anything else is a task or a follow-up.\n');
        continue;
      }
      if (line === '') continue;
      if (!interactive) process.stdout.write(`${line}\n`);
      lines.pause();
      const outcome = await driveRun(runtime, (signal) => startRun(runContext(runtime, signal), { task: line, sessionId, settings }), {
        json: false,
        interactive,
        settings,
      });
      lines.resume();
      lastExit = outcome === 'failed' ? EXIT.failed : outcome === 'paused' ? EXIT.paused : EXIT.ok;
    }
  } finally {
    lines.close();
  }
  process.stdout.write(`\nSession ${sessionId} saved; continue it with \`deckhand chat --session ${sessionId}\`.\n`);
  return lastExit;
}
