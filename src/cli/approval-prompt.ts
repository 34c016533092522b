import { userInfo } from 'node:os';
import type { Interface } from 'node:readline/promises';
import type { RunEvent } from '../agent/events.js';
import type { ApprovalDecision } from '../store/approval-store.js';
import { createPainter, formatArgs } from './format.js';

type ApprovalRequest = Extract<RunEvent, { type: 'approval-request' }>;

/** The name decisions are recorded under: the OS user, unless DECKHAND_ACTOR says otherwise. */
export function currentActor(): string {
  return process.env.DECKHAND_ACTOR ?? userInfo().username;
}

/**
 * Asks the person at the terminal to settle one pending approval (or answer one question): approve once,
 * approve the tool for the rest of the session, approve with edited arguments, or deny with a note.
 */
export async function promptForDecision(lines: Interface, request: ApprovalRequest, out: NodeJS.WriteStream): Promise<ApprovalDecision> {
  const paint = createPainter(out);
  const by = currentActor();
  if (request.kind === 'question') {
    const question = typeof request.args.question === 'string' ? request.args.question : 'The agent has a question.';
    const answer = await lines.question(`\n${paint('yellow', '?')} ${question}\n  your answer › `);
    return { decision: 'answer', by, note: answer.trim() };
  }
  out.write(
    `\n${paint('yellow', 'Approval needed')} (${request.risk} risk, ${request.because}): ${paint('bold', `${request.server}.${request.tool}`)} ${formatArgs(request.args, 400)}\n`,
  );
  if (request.reason.trim()) out.write(`  the agent says: ${request.reason.trim().split('\n')[0]}\n`);
  for (;;) {
    const choice = (await lines.question('  [y] approve once  [a] approve for this session  [e] edit arguments  [n] deny › ')).trim().toLowerCase();
    if (choice === 'y' || choice === 'yes') return { decision: 'approve', by, scope: 'once' };
    if (choice === 'a') return { decision: 'approve', by, scope: 'session' };
    if (choice === 'n' || choice === 'no') {
      const note = (await lines.question('  why (told to the agent) › ')).trim();
      return { decision: 'deny', by, ...(note ? { note } : {}) };
    }
    if (choice === 'e') {
      const edited = await lines.question(`  arguments as JSON (${formatArgs(request.args, 400)}) › `);
      try {
        const parsed = JSON.parse(edited) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          return { decision: 'approve', by, scope: 'once', editedArgs: parsed as Record<string, unknown> };
        }
      } catch {
        // fall through to the message below
      }
      out.write('  That is not a JSON object; try again.\n');
    }
  }
}
