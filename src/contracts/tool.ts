/**
 * @module What a tool is, wherever it is seen: the spec a model is offered, the outcome a call returns, where a
 * model-facing name points, and the executor the loop calls. The MCP host implements the executor over servers;
 * the agent's own tools and the test fakes implement it in-process.
 */
import { z } from 'zod';

/** A JSON Schema object as MCP servers publish it for tool inputs. */
export const JsonSchemaSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchemaSchema>;

/** MCP behaviour hints; providers ignore them, the offline planner and the approval policy read them. */
export const ToolHintsSchema = z.object({
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});
export type ToolHints = z.infer<typeof ToolHintsSchema>;

/** A tool as offered to a model: `name` is the model-facing `server__tool` name. */
export const ToolSpecSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  inputSchema: JsonSchemaSchema,
  annotations: ToolHintsSchema.optional(),
});
export type ToolSpec = z.infer<typeof ToolSpecSchema>;

/** What a tool call produced, as the loop sees it. Tool failures are data, never exceptions. */
export const ToolOutcomeSchema = z.object({
  isError: z.boolean(),
  /** What the model reads. */
  text: z.string(),
  /** `structuredContent` when the tool returned it. */
  structured: z.unknown().optional(),
  /** For a cacheable (read-only, trusted) tool: answered from the tool cache (`hit`) or by the server (`miss`). */
  cache: z.enum(['hit', 'miss']).optional(),
});
export type ToolOutcome = z.infer<typeof ToolOutcomeSchema>;

/** Where a model-facing tool name points, for events and display. */
export const ToolAddressSchema = z.object({ server: z.string(), tool: z.string() });
export type ToolAddress = z.infer<typeof ToolAddressSchema>;

/** How one tool call is made: cancellation, the call's id, its idempotency key and trace context. */
export interface ToolCallOptions {
  readonly signal?: AbortSignal;
  readonly toolCallId: string;
  readonly idempotencyKey?: string;
  /** The W3C trace context of the call's span, for the request's `_meta`. */
  readonly traceContext?: Readonly<Record<string, string>>;
}

/**
 * The tools a run may call. `McpHost` implements it over MCP servers; benchmarks and tests implement it
 * in-process. `call` must not throw for tool failures (return `isError`); it throws only the signal's
 * reason when aborted. `idempotencyKey` (derived from the run and the call) is handed to tools that accept one.
 */
export interface ToolExecutor {
  specs(): readonly ToolSpec[];
  address(modelToolName: string): ToolAddress | undefined;
  call(modelToolName: string, input: Record<string, unknown>, options: ToolCallOptions): Promise<ToolOutcome>;
}

/** A tool executor that can also say what a tool's annotations are (the approval policy asks). */
export interface HintedToolExecutor extends ToolExecutor {
  hints(modelToolName: string): ToolHints | undefined;
}
