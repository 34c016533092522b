import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { SYSTEM_PROMPT } from '../../agent/system-prompt.js';
import type { ModelMessage } from '../../models/types.js';
import { EXIT } from '../exit-codes.js';
import { printHeader } from '../header.js';
import { openRuntime } from '../runtime.js';
import { executeRun } from './run.js';

export interface ChatCommandOptions {
  readonly model?: string;
  readonly session?: string;
  readonly maxSteps?: number;
  readonly budgetUsd?: number;
}

/**
 * `deckhand chat`: a multi-turn conversation. Every turn is a run over the same growing transcript, so
 * the agent keeps the context of earlier turns. Reads lines from stdin (interactive or piped); ends on
 * `/exit` or end of input.
 */
export async function chatCommand(options: ChatCommandOptions): Promise<number> {
  await using runtime = await openRuntime({
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
  });
  printHeader(runtime, process.stdout, process.stderr);
  const sessionId = options.session ?? randomUUID();
  process.stdout.write(`  session  ${sessionId}\nType a task, /help for commands, /exit to leave.\n`);
  const messages: ModelMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }];
  const interactive = process.stdin.isTTY === true;
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  let lastExit: number = EXIT.ok;
  try {
    lines.setPrompt('\nyou › ');
    lines.prompt();
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '/help') {
        process.stdout.write('Commands: /exit leaves, /help shows this. Anything else is a task or a follow-up.\n');
      } else if (line !== '') {
        if (!interactive) process.stdout.write(`${line}\n`);
        messages.push({ role: 'user', content: line });
        lines.pause();
        const outcome = await executeRun(runtime, { task: line, messages, sessionId, json: false });
        lines.resume();
        lastExit = outcome === 'failed' ? EXIT.failed : EXIT.ok;
      }
      lines.prompt();
    }
  } finally {
    lines.close();
  }
  process.stdout.write('\n');
  return lastExit;
}
