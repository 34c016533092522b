/**
 * @module The one typed event stream of a run (DESIGN.md). The CLI renderer, the WebSocket and the store consume
 * only these; nothing renders by reaching into the loop. The schemas are what a stored event is parsed with.
 */
import { z } from 'zod';
import { RunTotalsSchema, UsageSchema } from './usage.js';

/** How a run ended. `paused` waits on a person; every outcome but `finished` can be resumed. */
export const RunOutcomeSchema = z.enum(['finished', 'failed', 'paused', 'cancelled', 'budget-exhausted']);
export type RunOutcome = z.infer<typeof RunOutcomeSchema>;

/** Where a stored run stands: `running` until it ends, then its outcome. */
export const RunStatusSchema = z.union([z.literal('running'), RunOutcomeSchema]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** How much harm a tool call could do, as the approval policy judges it. */
export const RiskSchema = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof RiskSchema>;

/** Why a model turn ended. */
export const FinishReasonSchema = z.enum(['stop', 'tool-calls', 'length', 'content-filter', 'error', 'other']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/** What kind of decision an approval request waits for. */
export const ApprovalKindSchema = z.enum(['approval', 'question', 'elicitation']);
export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;

const base = {
  runId: z.string(),
  /** Milliseconds since the epoch. */
  at: z.number(),
};
const stepBase = { ...base, step: z.number().int() };
const args = z.record(z.string(), z.unknown());

export const RunStartEventSchema = z.object({
  ...base,
  type: z.literal('run-start'),
  sessionId: z.string(),
  task: z.string(),
  model: z.string(),
  maxSteps: z.number(),
  budgetUsd: z.number().nullable(),
  /** True when this continues a paused or interrupted run. */
  resumed: z.boolean().optional(),
});

export const UsageEventSchema = z.object({
  ...stepBase,
  type: z.literal('usage'),
  usage: UsageSchema,
  costUsd: z.number(),
  totals: RunTotalsSchema,
  /** The model that was paid (`provider:model`); a fallback may differ from the run's model. */
  model: z.string().optional(),
  /** `step` for the loop's own call, `sampling` for a server's request answered for the run. */
  kind: z.enum(['step', 'sampling']).optional(),
  /** How long the call took, retries included. */
  durationMs: z.number().optional(),
  /**
   * The prompt's tokens as the host counted them before sending (only when a budget checked the call): with
   * `usage.inputTokens`, how far the budget's estimate ran low, restored from here when the run is resumed.
   */
  promptTokensEstimate: z.number().optional(),
});

export const ApprovalRequestEventSchema = z.object({
  ...stepBase,
  type: z.literal('approval-request'),
  toolCallId: z.string(),
  approvalId: z.string(),
  /**
   * `approval` for a side effect waiting on a person; `question` for the agent's `ask_user`; `elicitation` for a
   * server's question mid-call (`args` is `{ message, requestedSchema }`; the call waits, the run does not pause).
   */
  kind: ApprovalKindSchema,
  server: z.string(),
  tool: z.string(),
  args,
  /** What the model said it was doing in that step. */
  reason: z.string(),
  risk: RiskSchema,
  /** Why the policy asks (`destructive tool`, `rule email.*`). */
  because: z.string(),
  expiresAt: z.string(),
});

export const RunEndEventSchema = z.object({
  ...base,
  type: z.literal('run-end'),
  outcome: RunOutcomeSchema,
  /** The final answer (finished), or what stopped the run. */
  text: z.string(),
  error: z.string().optional(),
  totals: RunTotalsSchema,
  /** For a run stopped by a budget: the command that continues it with more. */
  resumeCommand: z.string().optional(),
});

/** Every event a run emits, told apart by `type`. */
export const RunEventSchema = z.discriminatedUnion('type', [
  RunStartEventSchema,
  z.object({ ...stepBase, type: z.literal('step-start') }),
  z.object({ ...stepBase, type: z.literal('text-delta'), text: z.string() }),
  z.object({ ...stepBase, type: z.literal('tool-call'), toolCallId: z.string(), server: z.string(), tool: z.string(), args }),
  z.object({
    ...stepBase,
    /**
     * A call is about to reach its server, with the arguments it runs with (a person's edits included). Stored
     * before the call starts when the call may change something: a `tool-start` with no result after it means the
     * call's outcome is unknown. A trusted server's read-only call may be stored only once it is under way, with
     * its step's other events (if the process dies first, none of the step was stored: a resume asks the model again).
     */
    type: z.literal('tool-start'),
    toolCallId: z.string(),
    server: z.string(),
    tool: z.string(),
    args,
    /** True when a person edited the arguments the model proposed. */
    edited: z.boolean().optional(),
  }),
  z.object({
    ...stepBase,
    /**
     * A server's progress notification (`notifications/progress`) for a call in flight: `progress` grows with each
     * one, out of `total` when the server knows it; `message` says what it is doing.
     */
    type: z.literal('tool-progress'),
    toolCallId: z.string(),
    server: z.string(),
    tool: z.string(),
    progress: z.number(),
    total: z.number().optional(),
    message: z.string().optional(),
  }),
  z.object({
    ...stepBase,
    type: z.literal('tool-result'),
    toolCallId: z.string(),
    server: z.string(),
    tool: z.string(),
    /** One line for people. */
    summary: z.string(),
    /** What the model was given. */
    output: z.string(),
    structured: z.unknown().optional(),
    durationMs: z.number(),
    /** Set for a cacheable tool: answered from the tool cache (`hit`) or by its server (`miss`). */
    cache: z.enum(['hit', 'miss']).optional(),
  }),
  z.object({
    ...stepBase,
    type: z.literal('tool-error'),
    toolCallId: z.string(),
    server: z.string(),
    tool: z.string(),
    error: z.string(),
    durationMs: z.number(),
  }),
  UsageEventSchema,
  z.object({
    ...stepBase,
    type: z.literal('model-retry'),
    model: z.string(),
    /** The attempt that failed (1 is the first). */
    attempt: z.number().int(),
    delayMs: z.number(),
    error: z.string(),
  }),
  z.object({ ...stepBase, type: z.literal('model-fallback'), from: z.string(), to: z.string(), error: z.string() }),
  z.object({ ...stepBase, type: z.literal('warning'), message: z.string() }),
  ApprovalRequestEventSchema,
  z.object({
    ...stepBase,
    type: z.literal('approval-response'),
    toolCallId: z.string(),
    approvalId: z.string().nullable(),
    decision: z.enum(['approved', 'denied', 'expired', 'answered']),
    /** Who decided: a person's name, `--yes`, `policy`, `session grant`. */
    by: z.string(),
    note: z.string().optional(),
    /** The arguments a person edited the call to when approving it (the call runs with these). */
    args: args.optional(),
  }),
  z.object({ ...stepBase, type: z.literal('step-end'), finishReason: FinishReasonSchema }),
  RunEndEventSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
