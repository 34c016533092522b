/**
 * @module The approval operations every front end shares: list, show, decide (exactly one decision wins: the
 * store's conditional update), and "resume once nothing else of the run is pending". The CLI, the HTTP API and
 * the WebSocket call these and render the answer in their own words.
 */
import { type ApprovalDecision, type ApprovalRow, ApprovalStore, type ResolveResult, storedArgs, storedRisk } from '../store/approval-store.js';
import type { Store } from '../store/database.js';

export type { ApprovalDecision };

/** An approval as people and programs see it: `deckhand approvals list --json`, the HTTP API and the web UI. */
export function approvalView(row: ApprovalRow) {
  return {
    id: row.id,
    runId: row.run_id,
    sessionId: row.session_id,
    kind: row.kind,
    server: row.server,
    tool: row.tool,
    args: storedArgs(row, 'args', row.args),
    reason: row.reason,
    risk: storedRisk(row),
    because: row.because,
    status: row.status,
    scope: row.scope,
    ...(row.edited_args ? { editedArgs: storedArgs(row, 'edited_args', row.edited_args) } : {}),
    note: row.note,
    resolvedBy: row.resolved_by,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    expiresAt: row.expires_at,
  };
}

/** An approval as people and programs see it. */
export type ApprovalView = ReturnType<typeof approvalView>;

/** Approvals, oldest first: pending ones unless `status` says otherwise, of one run or session when given. */
export async function listApprovals(
  store: Store,
  options: { status?: ApprovalRow['status'] | 'all'; runId?: string; sessionId?: string } = {},
): Promise<ApprovalView[]> {
  const rows = await new ApprovalStore(store.db).list(options);
  return rows.map(approvalView);
}

/** One approval as people and programs see it; undefined when there is none with this id. */
export async function getApproval(store: Store, id: string): Promise<ApprovalView | undefined> {
  const row = await new ApprovalStore(store.db).get(id);
  return row ? approvalView(row) : undefined;
}

/** How many approvals are pending (the metrics gauge). */
export async function pendingApprovalCount(store: Store): Promise<number> {
  return (await new ApprovalStore(store.db).list({ status: 'pending' })).length;
}

/** Why a decision did not take: the approval is unknown, was settled first, expired, or takes another decision. */
export type DecisionFailure = Exclude<ResolveResult, { ok: true }>['reason'];

/** What deciding did: the decided approval, or why nothing changed (with the approval as it stands, if any). */
export type DecisionResult =
  | { readonly ok: true; readonly approval: ApprovalView }
  /** The edited arguments do not fit the tool's input schema (`problem` says how); the approval is still pending. */
  | { readonly ok: false; readonly reason: 'invalid-args'; readonly problem: string; readonly approval: ApprovalView }
  | { readonly ok: false; readonly reason: Exclude<DecisionFailure, 'invalid-args'> | 'other-run'; readonly approval?: ApprovalView };

/**
 * Settles a pending approval. Safe under concurrent deciders: exactly one wins, every other learns it was already
 * resolved. With `runId`, only an approval of that run may be decided (`other-run` otherwise).
 */
export async function decideApproval(store: Store, id: string, decision: ApprovalDecision, options: { runId?: string } = {}): Promise<DecisionResult> {
  const approvals = new ApprovalStore(store.db);
  if (options.runId !== undefined) {
    const current = await approvals.get(id);
    if (current && current.run_id !== options.runId) return { ok: false, reason: 'other-run', approval: approvalView(current) };
  }
  const result = await approvals.resolve(id, {
    ...decision,
    ...(decision.decision === 'approve' ? { scope: decision.scope ?? 'once' } : {}),
  });
  if (result.ok) return { ok: true, approval: approvalView(result.approval) };
  if (result.reason === 'invalid-args') return { ok: false, reason: 'invalid-args', problem: result.problem, approval: approvalView(result.approval) };
  return { ok: false, reason: result.reason, ...(result.approval ? { approval: approvalView(result.approval) } : {}) };
}

/** Whether a decided approval's run may resume now, and if not, why (with the approvals still pending). */
export type ResumeReadiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: 'elicitation' | 'executing' | 'pending'; readonly waitingFor?: readonly string[] };

/**
 * Whether the run of a just-decided approval should be resumed: not for a server's question (the call is waiting
 * and the run goes on by itself), not while it executes, and not while another decision of it is pending.
 */
export async function resumeReadiness(
  store: Store,
  approval: Pick<ApprovalView, 'kind' | 'runId'>,
  isExecuting: (runId: string) => boolean | Promise<boolean> = () => false,
): Promise<ResumeReadiness> {
  if (approval.kind === 'elicitation') return { ready: false, reason: 'elicitation' };
  if (await isExecuting(approval.runId)) return { ready: false, reason: 'executing' };
  const pending = await new ApprovalStore(store.db).list({ status: 'pending', runId: approval.runId });
  if (pending.length > 0) return { ready: false, reason: 'pending', waitingFor: pending.map((row) => row.id) };
  return { ready: true };
}
