import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { type Risk, RiskSchema } from '../contracts/index.js';
import { StoredDataError } from '../shared/errors.js';
import { checkArguments } from '../shared/argument-check.js';
import { appendAudit } from './audit-log.js';
import type { ApprovalTable, Database } from './schema.js';

export type ApprovalRow = Selectable<ApprovalTable>;

export interface NewApproval {
  readonly runId: string;
  readonly sessionId: string;
  readonly step: number;
  readonly toolCallId: string;
  readonly kind: ApprovalRow['kind'];
  readonly server: string;
  readonly tool: string;
  readonly args: Record<string, unknown>;
  readonly reason: string;
  readonly risk: string;
  readonly because: string;
  readonly expiresAt: Date;
  /** The tool's input JSON Schema, so arguments a person edits can be checked before they are used. */
  readonly inputSchema?: unknown;
}

/** How a person settles a pending approval. */
export interface ApprovalDecision {
  readonly decision: 'approve' | 'deny' | 'answer';
  /** Who decided, for the audit log. */
  readonly by: string;
  readonly note?: string;
  /** Replacement arguments (approve only). */
  readonly editedArgs?: Record<string, unknown>;
  /** `session`: approve this tool for the rest of the session. */
  readonly scope?: 'once' | 'session';
}

export type ResolveResult =
  | { readonly ok: true; readonly approval: ApprovalRow }
  /** The edited arguments do not fit the tool's input schema (`problem` says how); the approval is still pending. */
  | { readonly ok: false; readonly reason: 'invalid-args'; readonly problem: string; readonly approval: ApprovalRow }
  | { readonly ok: false; readonly reason: 'not-found' | 'already-resolved' | 'expired' | 'wrong-kind'; readonly approval?: ApprovalRow };

const REQUESTED_ACTION: Record<ApprovalRow['kind'], string> = {
  approval: 'approval-requested',
  question: 'question-asked',
  elicitation: 'elicitation-requested',
};

/** Whether a decision fits a kind: questions are answered, approvals approved or denied, elicitations either. */
function fitsKind(decision: ApprovalDecision['decision'], kind: ApprovalRow['kind']): boolean {
  if (kind === 'elicitation') return true;
  return (decision === 'answer') === (kind === 'question');
}

/** Who hears of approvals settled in this process, by connection (every ApprovalStore on one database shares them). */
const settledListeners = new WeakMap<Kysely<Database>, Set<(approvalId: string) => void>>();

function announceSettled(db: Kysely<Database>, approvalId: string): void {
  for (const listener of settledListeners.get(db) ?? []) listener(approvalId);
}

/**
 * Pending approvals, clarifying questions and servers' elicitations, durable so a run can pause in one process
 * and be resolved and resumed from others (an elicitation is answered from anywhere while its call waits).
 * Exactly one resolution wins: the update only applies to a row still `pending`, and the loser learns it was
 * already resolved. Every decision is written to the audit log in the same transaction.
 */
export class ApprovalStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Calls `listener` with the id of each approval that leaves `pending` (decided or expired) through any
   * ApprovalStore on this connection, in this process, once the change is committed; returns the unsubscribe.
   * Other processes' decisions are not seen here: on PostgreSQL they are announced with LISTEN/NOTIFY (`queue/`).
   */
  onSettled(listener: (approvalId: string) => void): () => void {
    let listeners = settledListeners.get(this.db);
    if (!listeners) settledListeners.set(this.db, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Records a pending approval for a tool call; asking again for the same call returns the existing row. */
  async create(input: NewApproval): Promise<ApprovalRow> {
    const existing = await this.forCall(input.runId, input.toolCallId);
    if (existing) return existing;
    const row: ApprovalRow = {
      id: `AP-${randomUUID().replaceAll('-', '').slice(0, 8)}`,
      run_id: input.runId,
      session_id: input.sessionId,
      step: input.step,
      tool_call_id: input.toolCallId,
      kind: input.kind,
      server: input.server,
      tool: input.tool,
      args: JSON.stringify(input.args),
      reason: input.reason.slice(0, 2_000),
      risk: input.risk,
      because: input.because,
      status: 'pending',
      scope: null,
      edited_args: null,
      note: null,
      resolved_by: null,
      created_at: new Date().toISOString(),
      resolved_at: null,
      expires_at: input.expiresAt.toISOString(),
      input_schema: input.inputSchema === undefined ? null : JSON.stringify(input.inputSchema),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('approvals').values(row).onConflict((conflict) => conflict.columns(['run_id', 'tool_call_id']).doNothing()).execute();
      await appendAudit(trx, {
        actor: 'deckhand',
        action: REQUESTED_ACTION[input.kind],
        subject: row.id,
        runId: input.runId,
        details: { server: input.server, tool: input.tool, args: input.args, risk: input.risk, because: input.because },
      });
    });
    return (await this.forCall(input.runId, input.toolCallId)) ?? row;
  }

  get(id: string): Promise<ApprovalRow | undefined> {
    return this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  forCall(runId: string, toolCallId: string): Promise<ApprovalRow | undefined> {
    return this.db.selectFrom('approvals').selectAll().where('run_id', '=', runId).where('tool_call_id', '=', toolCallId).executeTakeFirst();
  }

  /** Approvals, oldest first; pending ones only unless `status` says otherwise; of one run or session when given. */
  list(options: { status?: ApprovalRow['status'] | 'all'; runId?: string; sessionId?: string } = {}): Promise<ApprovalRow[]> {
    let query = this.db.selectFrom('approvals').selectAll().orderBy('created_at').orderBy('id');
    const status = options.status ?? 'pending';
    if (status !== 'all') query = query.where('status', '=', status);
    if (options.runId) query = query.where('run_id', '=', options.runId);
    if (options.sessionId) query = query.where('session_id', '=', options.sessionId);
    return query.execute();
  }

  /**
   * Settles a pending approval. Safe under concurrent approvers: exactly one wins. Edited arguments are checked
   * against the tool's input schema first; when they do not fit, nothing changes (`invalid-args`).
   */
  async resolve(id: string, decision: ApprovalDecision, now = new Date()): Promise<ResolveResult> {
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'not-found' };
    if (current.status !== 'pending') return { ok: false, reason: 'already-resolved', approval: current };
    if (!fitsKind(decision.decision, current.kind)) return { ok: false, reason: 'wrong-kind', approval: current };
    if (new Date(current.expires_at) <= now) {
      await this.expire(current, now);
      return { ok: false, reason: 'expired', approval: (await this.get(id)) ?? current };
    }
    // Checked before anything changes: arguments the tool would refuse must not use up the approval.
    if (decision.editedArgs && current.input_schema) {
      const problem = checkArguments(JSON.parse(current.input_schema) as unknown, decision.editedArgs);
      if (problem) return { ok: false, reason: 'invalid-args', problem, approval: current };
    }
    const status = decision.decision === 'approve' ? 'approved' : decision.decision === 'deny' ? 'denied' : 'answered';
    const won = await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('approvals')
        .set({
          status,
          scope: decision.decision === 'approve' ? (decision.scope ?? 'once') : null,
          edited_args: decision.editedArgs ? JSON.stringify(decision.editedArgs) : null,
          note: decision.note ?? null,
          resolved_by: decision.by,
          resolved_at: now.toISOString(),
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      // A grant covers a tool's future calls; an elicitation answers one question, so it never grants anything.
      if (decision.decision === 'approve' && decision.scope === 'session' && current.kind === 'approval') {
        await trx
          .insertInto('session_grants')
          .values({ session_id: current.session_id, server: current.server, tool: current.tool, granted_by: decision.by, created_at: now.toISOString() })
          .onConflict((conflict) => conflict.columns(['session_id', 'server', 'tool']).doNothing())
          .execute();
      }
      await appendAudit(trx, {
        actor: decision.by,
        action: status,
        subject: id,
        runId: current.run_id,
        details: {
          server: current.server,
          tool: current.tool,
          args: JSON.parse(current.args) as unknown,
          ...(decision.editedArgs ? { editedArgs: decision.editedArgs } : {}),
          ...(decision.note !== undefined ? { note: decision.note } : {}),
          ...(decision.scope ? { scope: decision.scope } : {}),
        },
      });
      return true;
    });
    if (won) announceSettled(this.db, id);
    const approval = (await this.get(id))!;
    return won ? { ok: true, approval } : { ok: false, reason: 'already-resolved', approval };
  }

  /** Marks a pending approval past its time as expired (audited); a no-op when someone resolved it first. */
  async expire(approval: ApprovalRow, now = new Date()): Promise<void> {
    const expired = await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('approvals')
        .set({ status: 'expired', resolved_by: 'deckhand', resolved_at: now.toISOString() })
        .where('id', '=', approval.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) {
        await appendAudit(trx, { actor: 'deckhand', action: 'expired', subject: approval.id, runId: approval.run_id, details: { server: approval.server, tool: approval.tool } });
        return true;
      }
      return false;
    });
    if (expired) announceSettled(this.db, approval.id);
  }

  async hasGrant(sessionId: string, server: string, tool: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('session_grants')
      .select('tool')
      .where('session_id', '=', sessionId)
      .where('server', '=', server)
      .where('tool', '=', tool)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Records a decision no person made (a policy rule, `--yes`, a session grant), so the audit log is complete. */
  async recordAutomatic(entry: { runId: string; actor: string; action: string; subject: string; details: Record<string, unknown> }): Promise<void> {
    await appendAudit(this.db, { actor: entry.actor, action: entry.action, subject: entry.subject, runId: entry.runId, details: entry.details });
  }
}

const ArgsSchema = z.record(z.string(), z.unknown());

/**
 * An approval's stored arguments (`args`, or a person's `edited_args`), parsed. Throws `StoredDataError` naming
 * the run and the approval when the column is not a JSON object.
 */
export function storedArgs(row: Pick<ApprovalRow, 'id' | 'run_id'>, column: 'args' | 'edited_args', text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredDataError(row.run_id, `approval ${row.id} ${column}`, 'it is not JSON');
  }
  const parsed = ArgsSchema.safeParse(value);
  if (!parsed.success || Array.isArray(value)) throw new StoredDataError(row.run_id, `approval ${row.id} ${column}`, 'it is not a JSON object');
  return parsed.data;
}

/** An approval's stored risk, parsed. Throws `StoredDataError` for a value no release writes. */
export function storedRisk(row: Pick<ApprovalRow, 'id' | 'run_id' | 'risk'>): Risk {
  const parsed = RiskSchema.safeParse(row.risk);
  if (!parsed.success) throw new StoredDataError(row.run_id, `approval ${row.id} risk`, `"${row.risk}" is not a risk`);
  return parsed.data;
}
