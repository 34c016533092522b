import { newRecordId } from '../../shared/ids.js';
import { createInterface } from 'node:readline/promises';
import { planStart, startSettings } from '../../app/runs.js';
import { openRuntime } from '../../app/runtime.js';
import { sessionMessageCount } from '../../app/sessions.js';
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
 * Reads lines from stdin (interactive or piped); ends on `/exit` or end of input. With piped stdin there are no
 * prompts: stdout gets the answers, stderr the rest.
 */
export async function chatCommand(options: ChatCommandOptions): Promise<number> {
  await using runtime = await openRuntime({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
    ...(options.budgetTokens !== undefined ? { budgetTokens: options.budgetTokens } : {}),
  });
  const interactive = process.stdin.isTTY === true;
  // With stdin piped in, stdout carries the answers only: the header, prompts and notes go to stderr.
  const notes = interactive ? process.stdout : process.stderr;
  printHeader(runtime, notes, process.stderr);
  const sessionId = options.session ?? newRecordId();
  const earlier = await sessionMessageCount(runtime.store, sessionId);
  notes.write(`  session  ${sessionId}${earlier > 0 ? ` (continuing: ${earlier} earlier messages)` : ''}\n`);
  if (interactive) notes.write('Type a task, /help for commands, /exit to leave.\n');
  // The flags are in the runtime's settings already (it was opened with them); `--yes` is this command's own.
  const settings = startSettings(runtime.settings, { yes: options.yes === true });
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
      if (interactive) process.stdout.write('\nyou › ');
      const raw = await nextLine();
      if (raw === undefined) break;
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/help') {
        process.stdout.write('Commands: /exit leaves, /help shows this. Anything else is a task or a follow-up.\n');
        continue;
      }
      if (line === '') continue;
      lines.pause();
      const outcome = await driveRun(runtime, planStart({ task: line, sessionId, settings }), { json: false, interactive });
      lines.resume();
      lastExit = outcome === 'failed' ? EXIT.failed : outcome === 'paused' ? EXIT.paused : EXIT.ok;
    }
  } finally {
    lines.close();
  }
  notes.write(`\nSession ${sessionId} saved; continue it with \`deckhand chat --session ${sessionId}\`.\n`);
  return lastExit;
}
