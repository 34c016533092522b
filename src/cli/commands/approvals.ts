import { UsageError } from '../../shared/errors.js';
import { type ApprovalDecision, decideApproval, listApprovals, resumeReadiness } from '../../app/approvals.js';
import { currentActor } from '../approval-prompt.js';
import { createPainter, formatArgs } from '../format.js';
import { withSettingsStore } from '../../app/store.js';
import { resumeCommand } from './resume.js';

/** `deckhand approvals list [--all] [--json]`. */
export async function approvalsListCommand(options: { all?: boolean; json?: boolean }): Promise<number> {
  const rows = await withSettingsStore((store) => listApprovals(store, { status: options.all ? 'all' : 'pending' }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(options.all ? 'No approvals yet.\n' : 'Nothing is waiting for approval.\n');
    return 0;
  }
  const paint = createPainter(process.stdout);
  for (const row of rows) {
    const what = row.kind === 'question' ? `question: ${String(row.args.question ?? '')}` : `${row.server}.${row.tool} ${formatArgs(row.args)}`;
    process.stdout.write(`${paint('bold', row.id)}  ${row.status.padEnd(8)}  ${what}\n  run ${row.runId} · ${row.risk} risk · ${row.because} · expires ${row.expiresAt}\n`);
  }
  return 0;
}

export interface ResolveCommandOptions {
  readonly note?: string;
  readonly session?: boolean;
  readonly args?: string;
  readonly resume?: boolean;
  readonly json?: boolean;
}

/** `deckhand approvals approve|deny|answer ID`: settles one pending approval; exactly one resolution wins. */
/** Edited arguments the tool would refuse: what is wrong, and that the approval still waits. */
function editedArgsMessage(approval: { id: string; server: string; tool: string }, problem: string, where: string): string {
  return `The edited arguments do not fit ${approval.server}.${approval.tool}: ${problem}. Approval ${approval.id} is still pending; fix ${where} and try again.`;
}

export async function approvalsResolveCommand(
  decision: ApprovalDecision['decision'],
  id: string,
  options: ResolveCommandOptions & { answer?: string },
): Promise<number> {
  let editedArgs: Record<string, unknown> | undefined;
  if (options.args !== undefined) {
    try {
      const parsed = JSON.parse(options.args) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      editedArgs = parsed as Record<string, unknown>;
    } catch {
      throw new UsageError(`--args must be a JSON object of the tool's arguments, like '{"amount": 25}'.`);
    }
  }
  const note = decision === 'answer' ? options.answer : options.note;
  const result = await withSettingsStore((store) =>
    decideApproval(store, id, {
      decision,
      by: currentActor(),
      ...(note !== undefined ? { note } : {}),
      ...(editedArgs ? { editedArgs } : {}),
      ...(decision === 'approve' ? { scope: options.session ? 'session' : 'once' } : {}),
    }),
  );
  if (!result.ok) {
    const approval = result.approval;
    const messages: Record<typeof result.reason, string> = {
      'not-found': `No approval ${id}. See pending ones with \`deckhand approvals list\`.`,
      'other-run': `Approval ${id} belongs to run ${approval?.runId}.`,
      'already-resolved': `Approval ${id} was already resolved: ${approval?.status}${approval?.resolvedBy ? ` by ${approval.resolvedBy}` : ''}${approval?.resolvedAt ? ` at ${approval.resolvedAt}` : ''}. Nothing changed.`,
      expired: `Approval ${id} expired at ${approval?.expiresAt}; the run will be told when it resumes.`,
      'wrong-kind': approval?.kind === 'question' ? `${id} is a question: answer it with \`deckhand approvals answer ${id} "…"\`.` : `${id} is an approval: use approve or deny.`,
      'invalid-args': result.reason === 'invalid-args' ? editedArgsMessage(result.approval, result.problem, '--args') : '',
    };
    process.stderr.write(`deckhand: ${messages[result.reason]}\n`);
    return result.reason === 'not-found' || result.reason === 'wrong-kind' || result.reason === 'invalid-args' ? 2 : 1;
  }
  const { approval } = result;
  if (options.json) process.stdout.write(`${JSON.stringify(approval)}\n`);
  else if (approval.kind === 'elicitation') {
    // The run is still going: it is waiting inside the tool call and picks the decision up by itself.
    process.stdout.write(`${approval.id} ${approval.status} (${approval.server} asked during a tool call) by ${approval.resolvedBy}; run ${approval.runId} continues on its own.\n`);
  } else {
    process.stdout.write(`${approval.id} ${approval.status} (${approval.server}.${approval.tool}) by ${approval.resolvedBy}. Run ${approval.runId} can continue: \`deckhand resume ${approval.runId}\`.\n`);
  }
  if (!options.resume) return 0;
  const readiness = await withSettingsStore((store) => resumeReadiness(store, approval));
  if (!readiness.ready && readiness.reason === 'elicitation') return 0;
  if (!readiness.ready) {
    process.stdout.write(`Not resuming yet: ${readiness.waitingFor?.join(', ')} still pending for this run.\n`);
    return 3;
  }
  return resumeCommand(approval.runId, { ...(options.json ? { json: true } : {}) });
}
