/**
 * The model interface the agent loop talks to. Providers (through the Vercel AI SDK), the offline
 * planner and the test fakes all implement it; the loop never sees a provider's own types.
 */
import type { FinishReason, ToolSpec, Usage } from '../contracts/index.js';

/** One tool call the model asked for. `input` is already parsed JSON. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** A tool's outcome as fed back to the model. */
export interface ToolResultPart {
  readonly toolCallId: string;
  readonly toolName: string;
  /** Text the model reads (structured results are JSON-encoded). */
  readonly output: string;
  readonly isError: boolean;
  /**
   * The arguments the call ran with when a person edited the ones the model proposed: providers are told, so the
   * model reports what was done, not what it asked for.
   */
  readonly ranWith?: Record<string, unknown>;
}

export type ModelMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly results: readonly ToolResultPart[] };

export interface ModelRequest {
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolSpec[];
  /** The most output tokens the provider may produce (a budget's cap); default: the provider's own limit. */
  readonly maxOutputTokens?: number;
}

/** The model that actually answered a request (a fallback chain may answer with another than it was asked for). */
export interface AnsweringModel {
  readonly id: string;
  readonly provider: string;
  readonly modelName: string;
}

/** What happened on the way to an answer: a retried attempt, or a switch to the next model of a fallback chain. */
export type ModelNotice =
  | { readonly kind: 'retry'; readonly model: string; readonly attempt: number; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'fallback'; readonly from: string; readonly to: string; readonly error: string };

/** What a model streams back for one request. Exactly one `finish` part ends a successful stream. */
export type ModelPart =
  | { readonly type: 'text-delta'; readonly text: string }
  | { readonly type: 'tool-call'; readonly call: ToolCall }
  | {
      readonly type: 'finish';
      readonly usage: Usage;
      readonly finishReason: FinishReason;
      /** Set by wrappers that may answer with another model than `Model.id` (fallbacks). */
      readonly model?: AnsweringModel;
    }
  | { readonly type: 'notice'; readonly notice: ModelNotice };

export interface ModelStreamOptions {
  readonly signal?: AbortSignal;
}

/** A language model the agent loop can drive. */
export interface Model {
  /** `provider:model` as the user wrote it (`offline` for the built-in planner). */
  readonly id: string;
  readonly provider: string;
  /** The provider's model name (`gpt-4.1-mini`); used for pricing. */
  readonly modelName: string;
  /**
   * Streams one model turn. Throws `ProviderError` (with a readable message) when the provider
   * refuses the request; throws the signal's reason when aborted.
   */
  stream(request: ModelRequest, options?: ModelStreamOptions): AsyncIterable<ModelPart>;
  /**
   * Loads what the first request needs (the provider's package, Node's fetch) without sending anything, for a caller
   * that has time to spare before it (the CLI while its servers start). Optional; a failure surfaces at `stream`.
   */
  prepare?(): Promise<void>;
}
