import type { ToolSpec } from '../models/types.js';

/** What a tool call produced, as the loop sees it. Tool failures are data, never exceptions. */
export interface ToolOutcome {
  readonly isError: boolean;
  /** What the model reads. */
  readonly text: string;
  /** `structuredContent` when the tool returned it. */
  readonly structured?: unknown;
  /** For a cacheable (read-only, trusted) tool: answered from the tool cache (`hit`) or by the server (`miss`). */
  readonly cache?: 'hit' | 'miss';
}

/** Where a model-facing tool name points, for events and display. */
export interface ToolAddress {
  readonly server: string;
  readonly tool: string;
}

/**
 * The tools a run may call. `McpHost` implements it over MCP servers; benchmarks and tests implement it
 * in-process. `call` must not throw for tool failures (return `isError`); it throws only the signal's
 * reason when aborted. `idempotencyKey` (derived from the run and the call) is handed to tools that accept one.
 */
export interface ToolExecutor {
  specs(): readonly ToolSpec[];
  address(modelToolName: string): ToolAddress | undefined;
  call(
    modelToolName: string,
    input: Record<string, unknown>,
    options: {
      signal?: AbortSignal;
      toolCallId: string;
      idempotencyKey?: string;
      /** The W3C trace context of the call's span, for the request's `_meta`. */
      traceContext?: Readonly<Record<string, string>>;
    },
  ): Promise<ToolOutcome>;
}
