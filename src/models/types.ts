/**
 * The model interface the agent loop talks to. Providers (through the Vercel AI SDK), the offline
 * planner and the test fakes all implement it; the loop never sees a provider's own types.
 */

/** A JSON Schema object as MCP servers publish it for tool inputs. */
export type JsonSchema = Record<string, unknown>;

/** A tool as offered to a model: `name` is the model-facing `server__tool` name. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  /** MCP behaviour hints; providers ignore them, the offline planner uses them to tell reads from actions. */
  readonly annotations?: ToolHints;
}

export interface ToolHints {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

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
}

export type ModelMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly results: readonly ToolResultPart[] };

export interface ModelRequest {
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolSpec[];
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'error' | 'other';

/** What a model streams back for one request. Exactly one `finish` part ends a successful stream. */
export type ModelPart =
  | { readonly type: 'text-delta'; readonly text: string }
  | { readonly type: 'tool-call'; readonly call: ToolCall }
  | { readonly type: 'finish'; readonly usage: Usage; readonly finishReason: FinishReason };

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
}
