/**
 * @module Deciding approvals over the API and the WebSocket: one path for both, so exactly one resolution wins
 * (the store's conditional update) and the loser gets the same 409 or error frame either way.
 */
import { type ApprovalDecision, type ApprovalView, decideApproval as decide, resumeReadiness } from '../app/approvals.js';
import type { Runtime } from '../app/runtime.js';
import { RunConflictError } from '../app/run-errors.js';
import { RunNotResumableError } from '../app/runs.js';
import { ApiError, BadRequestError, ConflictError, NotFoundError } from './errors.js';
import type { ClientFrame } from './input.js';
import type { RunManager } from '../app/run-manager.js';

/** What a client asks for: the decision, and whether to resume the run once nothing else is pending. */
export interface DecisionRequest {
  readonly decision: ApprovalDecision['decision'];
  readonly by: string;
  readonly note?: string;
  readonly editedArgs?: Record<string, unknown>;
  readonly scope?: 'once' | 'session';
  readonly resume?: boolean;
  /** Only approvals of this run may be decided (the run stream's own). */
  readonly runId?: string;
}

/** An approval as the API shows it. */
export type ApprovalJson = ApprovalView;

/** What deciding needs; `onDecided` hears of every decision that won, before any resume (the UI's other tabs). */
export interface DecisionContext {
  readonly store: Runtime['store'];
  readonly runs: RunManager;
  readonly onDecided?: (approval: ApprovalJson) => void;
}

/** Whether the decision resumed the run, and if not, why. */
export type ResumeResult = { readonly resumed: true } | { readonly resumed: false; readonly reason: string; readonly waitingFor?: readonly string[] };

/** The decision a validated request body or WebSocket frame asks for, made by `by`. */
export function toDecisionRequest(frame: ClientFrame, by: string): DecisionRequest {
  const resume = frame.resume !== undefined ? { resume: frame.resume } : {};
  switch (frame.type) {
    case 'approve':
      return {
        decision: 'approve',
        by,
        ...(frame.note !== undefined ? { note: frame.note } : {}),
        ...(frame.scope ? { scope: frame.scope } : {}),
        ...(frame.args ? { editedArgs: frame.args } : {}),
        ...resume,
      };
    case 'deny':
      return { decision: 'deny', by, ...(frame.note !== undefined ? { note: frame.note } : {}), ...resume };
    case 'answer':
      return { decision: 'answer', by, note: frame.answer, ...resume };
  }
}

/**
 * Settles a pending approval and, when asked, resumes its run. Throws `NotFoundError` (404) for an unknown id and
 * `ConflictError` (409) when it was already resolved, expired, belongs to another run, or does not take this kind
 * of decision.
 */
export async function decideApproval(context: DecisionContext, id: string, request: DecisionRequest): Promise<{ approval: ApprovalJson } & ResumeResult> {
  const result = await decide(
    context.store,
    id,
    {
      decision: request.decision,
      by: request.by,
      ...(request.note !== undefined ? { note: request.note } : {}),
      ...(request.editedArgs ? { editedArgs: request.editedArgs } : {}),
      ...(request.scope ? { scope: request.scope } : {}),
    },
    request.runId !== undefined ? { runId: request.runId } : {},
  );
  if (!result.ok) {
    const approval = result.approval;
    switch (result.reason) {
      case 'not-found':
        throw new NotFoundError(`No approval ${id}. See pending ones at GET /api/approvals.`);
      case 'other-run':
        throw new ConflictError('OTHER_RUN', `Approval ${id} belongs to run ${approval?.runId}, not ${request.runId}.`);
      case 'already-resolved':
        throw new ConflictError(
          'ALREADY_RESOLVED',
          `Approval ${id} was already resolved: ${approval?.status}${approval?.resolvedBy ? ` by ${approval.resolvedBy}` : ''}${approval?.resolvedAt ? ` at ${approval.resolvedAt}` : ''}. Nothing changed.`,
        );
      case 'expired':
        throw new ConflictError('EXPIRED', `Approval ${id} expired at ${approval?.expiresAt}; the run is told when it resumes.`);
      case 'invalid-args':
        throw new BadRequestError(
          `The edited arguments do not fit ${result.approval.server}.${result.approval.tool}: ${result.problem}. Approval ${id} is still pending; fix "args" and try again.`,
        );
      case 'wrong-kind':
        throw new ConflictError('WRONG_KIND', approval?.kind === 'question' ? `${id} is a question: answer it (POST /api/approvals/${id}/answer).` : `${id} is an approval: approve or deny it.`);
    }
  }
  const approval = result.approval;
  context.onDecided?.(approval);
  if (!request.resume) return { approval, resumed: false, reason: 'not asked to resume' };
  return { approval, ...(await resumeAfter(context, approval)) };
}

/** Why a decided approval's run was not resumed, in the API's words. */
const NOT_RESUMED: Record<'elicitation' | 'executing' | 'pending', string> = {
  elicitation: 'the run continues by itself',
  executing: 'the run is executing',
  pending: 'other decisions are pending',
};

/** Resumes the approval's run when nothing else of it is pending and it is not executing already. */
async function resumeAfter(context: DecisionContext, approval: ApprovalJson): Promise<ResumeResult> {
  const readiness = await resumeReadiness(context.store, approval, (runId) => context.runs.isExecutingAnywhere(runId));
  if (!readiness.ready) return { resumed: false, reason: NOT_RESUMED[readiness.reason], ...(readiness.waitingFor ? { waitingFor: readiness.waitingFor } : {}) };
  try {
    await context.runs.resume(approval.runId);
    return { resumed: true };
  } catch (error) {
    // Someone else resumed it first, or it ended meanwhile: the decision stands either way.
    if (error instanceof RunConflictError || (error instanceof ApiError && error.statusCode === 409)) return { resumed: false, reason: error.message };
    if (error instanceof RunNotResumableError) return { resumed: false, reason: error.message };
    throw error;
  }
}
