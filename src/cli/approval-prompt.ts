import { userInfo } from 'node:os';
import type { Interface } from 'node:readline/promises';
import {
  checkContent,
  type ElicitationAnswer,
  type ElicitationField,
  type ElicitationQuestion,
  type ElicitationValue,
  elicitationFields,
  parseFieldInput,
} from '../app/elicitation.js';
import type { RunEvent } from '../contracts/index.js';
import type { ApprovalDecision } from '../app/approvals.js';
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

/**
 * Asks the person at the terminal to answer a server's elicitation: every field of the requested form, Enter
 * keeping its default; or to decline or cancel. A value or an answer that does not fit the form is refused with
 * the reason and asked again. Rejects with the signal's reason when it aborts (decided elsewhere, timed out).
 */
export async function promptForElicitation(
  lines: Interface,
  question: ElicitationQuestion,
  out: NodeJS.WriteStream,
  signal: AbortSignal,
): Promise<ElicitationAnswer> {
  const paint = createPainter(out);
  const by = currentActor();
  const ask = (query: string) => lines.question(query, { signal });
  const caller = question.tool ? `${question.server}.${question.tool}` : question.server;
  out.write(`\n${paint('yellow', '?')} ${paint('bold', caller)} asks: ${question.message}\n`);
  for (;;) {
    const choice = (await ask('  [a] answer  [d] decline  [c] cancel › ')).trim().toLowerCase();
    if (choice === 'd' || choice === 'decline') return { action: 'decline', by };
    if (choice === 'c' || choice === 'cancel') return { action: 'cancel', by };
    if (choice !== 'a' && choice !== 'answer') continue;
    const content: Record<string, ElicitationValue> = {};
    for (const field of elicitationFields(question.schema)) {
      const value = await askField(ask, field, out);
      if (value !== undefined) content[field.name] = value;
    }
    const check = checkContent(question.schema, content);
    if (check.success) return { action: 'accept', content: check.content, by };
    out.write(`  That does not fit: ${check.error}. Try again.\n`);
  }
}

/** One field: Enter keeps the default (or skips an optional field); a value that does not fit is asked again. */
async function askField(ask: (query: string) => Promise<string>, field: ElicitationField, out: NodeJS.WriteStream): Promise<ElicitationValue | undefined> {
  const about = field.description ? ` — ${field.description}` : '';
  for (;;) {
    const text = await ask(`  ${field.label}${about} (${describeField(field)}) › `);
    if (text.trim() === '') {
      if (field.default !== undefined || !field.required) return field.default;
      out.write(`  '${field.name}' is required.\n`);
      continue;
    }
    const parsed = parseFieldInput(field, text);
    if (parsed.success) return parsed.value;
    out.write(`  ${parsed.error}; try again.\n`);
  }
}

function describeField(field: ElicitationField): string {
  const kind =
    field.type === 'boolean'
      ? 'yes/no'
      : field.type === 'array'
        ? `any of ${field.options?.join(', ') ?? '…'}, comma-separated`
        : field.options
          ? `one of ${field.options.join(', ')}`
          : field.type;
  const shown = typeof field.default === 'boolean' ? (field.default ? 'yes' : 'no') : Array.isArray(field.default) ? field.default.join(', ') : field.default;
  return `${kind}${shown !== undefined ? `, Enter for ${shown}` : field.required ? '' : ', Enter to skip'}`;
}
