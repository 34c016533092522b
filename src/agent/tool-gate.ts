import type { Risk } from './approval-policy.js';

/** One tool call as the gate sees it. */
export interface GateRequest {
  readonly runId: string;
  readonly sessionId: string;
  readonly step: number;
  readonly toolCallId: string;
  readonly modelToolName: string;
  readonly server: string;
  readonly tool: string;
  readonly args: Record<string, unknown>;
  /** The model's text in that step: what it said it was doing. */
  readonly reason: string;
}

/** How a person (or a rule) settled a call that needed one. */
export interface Resolution {
  readonly decision: 'approved' | 'denied' | 'expired' | 'answered';
  readonly by: string;
  readonly note?: string;
  readonly approvalId: string | null;
}

/** What happens to one tool call. */
export type GateResult =
  /** Run it, with `args` when a person edited them. */
  | { readonly type: 'allow'; readonly args?: Record<string, unknown>; readonly resolution?: Resolution }
  /** Do not run it; the model reads `message` as the tool's error. */
  | { readonly type: 'deny'; readonly message: string; readonly resolution?: Resolution }
  /**
   * Do not run it; the model reads `text` as the tool's result (the answer to `ask_user`, or the stored result of
   * a call that finished before its process died), an error when `isError`.
   */
  | { readonly type: 'result'; readonly text: string; readonly isError?: boolean; readonly resolution?: Resolution }
  /** Pause the run until a person decides. */
  | {
      readonly type: 'ask';
      readonly kind: 'approval' | 'question';
      readonly approvalId: string;
      readonly risk: Risk;
      readonly because: string;
      readonly expiresAt: string;
    };

/**
 * Decides, before a tool call runs, whether it may. The loop asks it for every call of a step before running
 * any; when one must wait for a person, the run pauses with nothing of that step executed. On resume the gate
 * is asked again and answers from what was decided meanwhile.
 */
export interface ToolGate {
  check(request: GateRequest): Promise<GateResult>;
}

/** A gate that allows everything: the default when no policy is configured (tests, benchmarks). */
export const ALLOW_ALL: ToolGate = { check: async () => ({ type: 'allow' }) };
