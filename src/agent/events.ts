import type { FinishReason, Usage } from '../models/types.js';
import type { Risk } from './approval-policy.js';

/**
 * The one typed event stream of a run (DESIGN.md). The CLI renderer, the WebSocket and the store
 * consume only these; nothing renders by reaching into the loop.
 */
export type RunOutcome = 'finished' | 'failed' | 'paused' | 'cancelled' | 'budget-exhausted';

export interface RunTotals {
  readonly steps: number;
  readonly toolCalls: number;
  /** Prompt tokens, cached ones included. */
  readonly inputTokens: number;
  /** Output tokens, reasoning included. */
  readonly outputTokens: number;
  readonly costUsd: number;
  /** Of `inputTokens`, read from the provider's prompt cache. */
  readonly cachedInputTokens?: number;
  /** Of `outputTokens`, spent on reasoning. */
  readonly reasoningTokens?: number;
  /** Read-only tool calls answered from the tool cache, and those that had to reach the server. */
  readonly cacheHits?: number;
  readonly cacheMisses?: number;
}

interface EventBase {
  readonly runId: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export type RunEvent =
  | (EventBase & {
      readonly type: 'run-start';
      readonly sessionId: string;
      readonly task: string;
      readonly model: string;
      readonly maxSteps: number;
      readonly budgetUsd: number | null;
      /** True when this continues a paused or interrupted run. */
      readonly resumed?: boolean;
    })
  | (EventBase & { readonly type: 'step-start'; readonly step: number })
  | (EventBase & { readonly type: 'text-delta'; readonly step: number; readonly text: string })
  | (EventBase & {
      readonly type: 'tool-call';
      readonly step: number;
      readonly toolCallId: string;
      readonly server: string;
      readonly tool: string;
      readonly args: Record<string, unknown>;
    })
  | (EventBase & {
      /**
       * A call is about to reach its server, with the arguments it runs with (a person's edits included). Stored
       * before the call starts: a `tool-start` with no result after it means the call's outcome is unknown.
       */
      readonly type: 'tool-start';
      readonly step: number;
      readonly toolCallId: string;
      readonly server: string;
      readonly tool: string;
      readonly args: Record<string, unknown>;
      /** True when a person edited the arguments the model proposed. */
      readonly edited?: boolean;
    })
  | (EventBase & {
      readonly type: 'tool-result';
      readonly step: number;
      readonly toolCallId: string;
      readonly server: string;
      readonly tool: string;
      /** One line for people. */
      readonly summary: string;
      /** What the model was given. */
      readonly output: string;
      readonly structured?: unknown;
      readonly durationMs: number;
      /** Set for a cacheable tool: answered from the tool cache (`hit`) or by its server (`miss`). */
      readonly cache?: 'hit' | 'miss';
    })
  | (EventBase & {
      readonly type: 'tool-error';
      readonly step: number;
      readonly toolCallId: string;
      readonly server: string;
      readonly tool: string;
      readonly error: string;
      readonly durationMs: number;
    })
  | (EventBase & {
      readonly type: 'usage';
      readonly step: number;
      readonly usage: Usage;
      readonly costUsd: number;
      readonly totals: RunTotals;
      /** The model that was paid (`provider:model`); a fallback may differ from the run's model. */
      readonly model?: string;
      /** `step` for the loop's own call, `sampling` for a server's request answered for the run. */
      readonly kind?: 'step' | 'sampling';
      /** How long the call took, retries included. */
      readonly durationMs?: number;
      /**
       * The prompt's tokens as the host counted them before sending (only when a budget checked the call): with
       * `usage.inputTokens`, how far the budget's estimate ran low, restored from here when the run is resumed.
       */
      readonly promptTokensEstimate?: number;
    })
  | (EventBase & {
      readonly type: 'model-retry';
      readonly step: number;
      readonly model: string;
      /** The attempt that failed (1 is the first). */
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string;
    })
  | (EventBase & {
      readonly type: 'model-fallback';
      readonly step: number;
      readonly from: string;
      readonly to: string;
      readonly error: string;
    })
  | (EventBase & { readonly type: 'warning'; readonly step: number; readonly message: string })
  | (EventBase & {
      readonly type: 'approval-request';
      readonly step: number;
      readonly toolCallId: string;
      readonly approvalId: string;
      /**
       * `approval` for a side effect waiting on a person; `question` for the agent's `ask_user`; `elicitation` for a
       * server's question mid-call (`args` is `{ message, requestedSchema }`; the call waits, the run does not pause).
       */
      readonly kind: 'approval' | 'question' | 'elicitation';
      readonly server: string;
      readonly tool: string;
      readonly args: Record<string, unknown>;
      /** What the model said it was doing in that step. */
      readonly reason: string;
      readonly risk: Risk;
      /** Why the policy asks (`destructive tool`, `rule email.*`). */
      readonly because: string;
      readonly expiresAt: string;
    })
  | (EventBase & {
      readonly type: 'approval-response';
      readonly step: number;
      readonly toolCallId: string;
      readonly approvalId: string | null;
      readonly decision: 'approved' | 'denied' | 'expired' | 'answered';
      /** Who decided: a person's name, `--yes`, `policy`, `session grant`. */
      readonly by: string;
      readonly note?: string;
      /** The arguments a person edited the call to when approving it (the call runs with these). */
      readonly args?: Record<string, unknown>;
    })
  | (EventBase & { readonly type: 'step-end'; readonly step: number; readonly finishReason: FinishReason })
  | (EventBase & {
      readonly type: 'run-end';
      readonly outcome: RunOutcome;
      /** The final answer (finished), or what stopped the run. */
      readonly text: string;
      readonly error?: string;
      readonly totals: RunTotals;
      /** For a run stopped by a budget: the command that continues it with more. */
      readonly resumeCommand?: string;
    });

export type RunEventType = RunEvent['type'];
