/**
 * @module The contracts every layer shares: tools, run events, totals and usage, run settings, and how persisted
 * state is versioned and parsed. A leaf: it imports nothing of ours, only zod.
 */
export {
  type HintedToolExecutor,
  type JsonSchema,
  JsonSchemaSchema,
  type ToolAddress,
  ToolAddressSchema,
  type ToolCallOptions,
  type ToolExecutor,
  type ToolHints,
  ToolHintsSchema,
  type ToolOutcome,
  ToolOutcomeSchema,
  type ToolSpec,
  ToolSpecSchema,
} from './tool.js';
export { type RunTotals, RunTotalsSchema, type Usage, UsageSchema, ZERO_TOTALS } from './usage.js';
export {
  type ApprovalKind,
  ApprovalKindSchema,
  ApprovalRequestEventSchema,
  type FinishReason,
  FinishReasonSchema,
  type Risk,
  RiskSchema,
  RunEndEventSchema,
  type RunEvent,
  RunEventSchema,
  type RunOutcome,
  RunOutcomeSchema,
  RunStartEventSchema,
  type RunStatus,
  RunStatusSchema,
  UsageEventSchema,
} from './run-event.js';
export { type RunSettings, RunSettingsSchema } from './run-settings.js';
export { ModelMessageSchema, ToolCallSchema, ToolResultPartSchema } from './model-message.js';
export { type OAuthCredentials, type StoredCredentials, StoredCredentialsSchema } from './oauth-credentials.js';
export { type RunJob, RunJobOverridesSchema, RunJobSchema, RunJobSettingsSchema, safeParseRunJob } from './run-job.js';
export {
  EVENT_SCHEMA_VERSION,
  type ParseResult,
  SETTINGS_SCHEMA_VERSION,
  safeParseStoredEvent,
  safeParseStoredSettings,
  storedEventJson,
  storedSettingsJson,
} from './stored.js';
