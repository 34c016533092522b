import type { ToolHints } from '../models/types.js';
import type { ApprovalRow, ApprovalStore } from '../store/approval-store.js';
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
  readonly expiresAfterHours: number;
  readonly now?: () => Date;
}

function parseArgs(json: string | null): Record<string, unknown> | undefined {
  return json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
}

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
    const existing = await this.options.approvals.forCall(request.runId, request.toolCallId);
    if (existing) return this.fromExisting(existing);
    const { approvals } = this.options;
    const expiresAt = new Date(this.now().getTime() + this.options.expiresAfterHours * 3_600_000);

    if (request.server === ASK_USER_SERVER && request.tool === ASK_USER_TOOL) {
      const question = await approvals.create({ ...this.describe(request), kind: 'question', risk: 'low', because: 'the agent asks you', expiresAt });
      return { type: 'ask', kind: 'question', approvalId: question.id, risk: 'low', because: question.because, expiresAt: question.expires_at };
    }

    const verdict = classifyToolCall(
      { server: request.server, tool: request.tool, args: request.args, hints: this.options.hints(request.modelToolName), trusted: this.options.isTrusted(request.server) },
      this.options.rules,
    );
    const audit = (actor: string, action: string) =>
      approvals.recordAutomatic({ runId: request.runId, actor, action, subject: `${request.runId}:${request.toolCallId}`, details: { server: request.server, tool: request.tool, args: request.args, because: verdict.because } });
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
    const approval = await approvals.create({ ...this.describe(request), kind: 'approval', risk: verdict.risk, because: verdict.because, expiresAt });
    return { type: 'ask', kind: 'approval', approvalId: approval.id, risk: verdict.risk, because: verdict.because, expiresAt: approval.expires_at };
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
        return { type: 'ask', kind: approval.kind === 'question' ? 'question' : 'approval', approvalId: approval.id, risk: approval.risk as 'low' | 'medium' | 'high', because: approval.because, expiresAt: approval.expires_at };
      case 'approved': {
        const edited = parseArgs(approval.edited_args);
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
