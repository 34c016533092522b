import type { ToolHints } from '../contracts/index.js';
import { type ApprovalRow, type ApprovalStore, storedArgs, storedRisk } from '../store/approval-store.js';
import type { InterruptedCalls } from '../store/interrupted-calls.js';
import { classifyToolCall, type PolicyRule } from './approval-policy.js';
import type { GateRequest, GateResult, ToolGate } from './tool-gate.js';

/** The host-implemented tool that asks the person a clarifying question. */
export const ASK_USER_SERVER = 'deckhand';
export const ASK_USER_TOOL = 'ask_user';

export interface PolicyGateOptions {
  readonly approvals: ApprovalStore;
  readonly rules: readonly PolicyRule[];
  /** `--yes`: approve what would ask, for this run. Never overrides `deny`. */
  readonly yes: boolean;
  /** Whether a server's annotations are believed (built-in servers and those marked trusted). */
  readonly isTrusted: (server: string) => boolean;
  readonly hints: (modelToolName: string) => ToolHints | undefined;
  /** The tool's input JSON Schema, stored with an approval so a person's edited arguments can be checked. */
  readonly inputSchema?: (modelToolName: string) => unknown;
  readonly expiresAfterHours: number;
  /** On resume: the calls of the step the run was interrupted in (see {@link InterruptedCalls}). */
  readonly interrupted?: InterruptedCalls;
  /** Whether a server honours idempotency keys: its interrupted calls are replayed without asking. Default: none. */
  readonly isIdempotent?: (server: string) => boolean;
  readonly now?: () => Date;
  /**
   * Called before the gate writes anything that refers to the call's step (an approval, an audited decision): the
   * run's recorder commits the step it holds staged, so nothing in the store points at a step the store lacks.
   */
  readonly beforeWrite?: () => Promise<void>;
}

/** Why an interrupted call of a server that ignores idempotency keys is asked about again, even under `--yes`. */
export const IN_DOUBT_BECAUSE = 'this call may already have run: its process stopped before the result was stored';

/**
 * The approval policy as a {@link ToolGate}: decisions already made for this call (on resume) first, then the
 * policy rules and annotations; `ask` becomes a durable pending approval unless `--yes` or a session grant
 * already covers it. Every automatic decision is audited like a person's.
 */
export class PolicyGate implements ToolGate {
  private readonly now: () => Date;

  constructor(private readonly options: PolicyGateOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async check(request: GateRequest): Promise<GateResult> {
    // A call whose result was stored before its process died is not run again: the model gets that result.
    const finished = this.options.interrupted?.finished.get(request.toolCallId);
    if (finished) return { type: 'result', text: finished.text, isError: finished.isError };
    const attempt = this.options.interrupted?.inDoubt.get(request.toolCallId);
    if (attempt !== undefined && !(this.options.isIdempotent?.(request.server) ?? false)) return this.inDoubt(request, attempt);
    const existing = await this.options.approvals.forCall(request.runId, request.toolCallId);
    if (existing) return this.fromExisting(existing);
    const { approvals } = this.options;
    const expiresAt = new Date(this.now().getTime() + this.options.expiresAfterHours * 3_600_000);

    if (request.server === ASK_USER_SERVER && request.tool === ASK_USER_TOOL) {
      await this.options.beforeWrite?.();
      const question = await approvals.create({ ...this.describe(request), kind: 'question', risk: 'low', because: 'the agent asks you', expiresAt });
      return { type: 'ask', kind: 'question', approvalId: question.id, risk: 'low', because: question.because, expiresAt: question.expires_at };
    }

    const verdict = classifyToolCall(
      { server: request.server, tool: request.tool, args: request.args, hints: this.options.hints(request.modelToolName), trusted: this.options.isTrusted(request.server) },
      this.options.rules,
    );
    const audit = async (actor: string, action: string) => {
      await this.options.beforeWrite?.();
      await approvals.recordAutomatic({ runId: request.runId, actor, action, subject: `${request.runId}:${request.toolCallId}`, details: { server: request.server, tool: request.tool, args: request.args, because: verdict.because } });
    };
    if (verdict.decision === 'deny') {
      await audit('policy', 'denied');
      return {
        type: 'deny',
        message: `${request.server}.${request.tool} is not allowed by policy (${verdict.because}); it was not run. Do not retry it; tell the user.`,
        resolution: { decision: 'denied', by: 'policy', note: verdict.because, approvalId: null },
      };
    }
    if (verdict.decision === 'allow') return { type: 'allow' };
    if (this.options.yes) {
      await audit('--yes', 'approved');
      return { type: 'allow', resolution: { decision: 'approved', by: '--yes', approvalId: null } };
    }
    if (await approvals.hasGrant(request.sessionId, request.server, request.tool)) {
      await audit('session grant', 'approved');
      return { type: 'allow', resolution: { decision: 'approved', by: 'session grant', approvalId: null } };
    }
    await this.options.beforeWrite?.();
    const approval = await approvals.create({ ...this.describe(request), kind: 'approval', risk: verdict.risk, because: verdict.because, expiresAt });
    return { type: 'ask', kind: 'approval', approvalId: approval.id, risk: verdict.risk, because: verdict.because, expiresAt: approval.expires_at };
  }

  /**
   * A call that was in flight when its process died, on a server that may not honour its idempotency key: a person
   * decides whether to run it again, even under `--yes` or after approving it once. The question is keyed by the
   * attempt (`toolCallId#seq` of its start), so each interrupted attempt is asked about once.
   */
  private async inDoubt(request: GateRequest, attempt: number): Promise<GateResult> {
    const { approvals } = this.options;
    const key = `${request.toolCallId}#${attempt}`;
    const existing = await approvals.forCall(request.runId, key);
    if (!existing) {
      const expiresAt = new Date(this.now().getTime() + this.options.expiresAfterHours * 3_600_000);
      await this.options.beforeWrite?.();
      const approval = await approvals.create({ ...this.describe(request), toolCallId: key, kind: 'approval', risk: 'high', because: IN_DOUBT_BECAUSE, expiresAt });
      return { type: 'ask', kind: 'approval', approvalId: approval.id, risk: 'high', because: IN_DOUBT_BECAUSE, expiresAt: approval.expires_at };
    }
    const decided = await this.fromExisting(existing);
    if (decided.type === 'deny') {
      const why = existing.status === 'denied' ? `a person chose not to run it again${existing.note ? ` ("${existing.note}")` : ''}` : 'nobody decided to run it again before the question expired';
      return {
        ...decided,
        message: `${request.server}.${request.tool} was interrupted while it ran, so it may or may not have taken effect; ${why}. Do not retry it; tell the user its outcome is unknown and should be checked.`,
      };
    }
    if (decided.type === 'allow' && !decided.args) {
      // Run again as it was first approved: with the arguments a person edited then, if they did.
      const first = await approvals.forCall(request.runId, request.toolCallId);
      const edited = first?.status === 'approved' && first.edited_args ? storedArgs(first, 'edited_args', first.edited_args) : undefined;
      if (edited) return { ...decided, args: edited };
    }
    return decided;
  }

  private describe(request: GateRequest) {
    return {
      runId: request.runId,
      sessionId: request.sessionId,
      step: request.step,
      toolCallId: request.toolCallId,
      server: request.server,
      tool: request.tool,
      args: request.args,
      reason: request.reason,
      inputSchema: this.options.inputSchema?.(request.modelToolName),
    };
  }

  private async fromExisting(approval: ApprovalRow): Promise<GateResult> {
    const resolution = (decision: 'approved' | 'denied' | 'expired' | 'answered') => ({
      decision,
      by: approval.resolved_by ?? 'deckhand',
      ...(approval.note !== null ? { note: approval.note } : {}),
      approvalId: approval.id,
    });
    switch (approval.status) {
      case 'pending':
        if (new Date(approval.expires_at) <= this.now()) {
          await this.options.approvals.expire(approval, this.now());
          return this.fromExisting((await this.options.approvals.get(approval.id)) ?? { ...approval, status: 'expired' });
        }
        // Elicitation rows are keyed by ids of their own, never a model's tool call id: this is an approval or a question.
        return { type: 'ask', kind: approval.kind === 'question' ? 'question' : 'approval', approvalId: approval.id, risk: storedRisk(approval), because: approval.because, expiresAt: approval.expires_at };
      case 'approved': {
        const edited = approval.edited_args ? storedArgs(approval, 'edited_args', approval.edited_args) : undefined;
        return { type: 'allow', ...(edited ? { args: edited } : {}), resolution: resolution('approved') };
      }
      case 'denied':
        return {
          type: 'deny',
          message: `A person denied ${approval.server}.${approval.tool}${approval.note ? `: "${approval.note}"` : ''}. It was not run; do not retry it — continue without it or ask what to do instead.`,
          resolution: resolution('denied'),
        };
      case 'expired':
        return {
          type: 'deny',
          message: `Nobody approved ${approval.server}.${approval.tool} before the request expired, so it was not run. Tell the user it still needs approval.`,
          resolution: resolution('expired'),
        };
      case 'answered':
        return { type: 'result', text: approval.note ?? '', resolution: resolution('answered') };
    }
  }
}
