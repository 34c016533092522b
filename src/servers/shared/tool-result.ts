import type { CallToolResult } from '@modelcontextprotocol/server';
import { ToolFailure } from './tool-failure.js';

/** A successful tool result: a short text for people and models, plus the structured content. */
export function ok<T extends object>(text: string, structured: T): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
}

/** A tool failure the model can read and act on (MCP `isError`), never a thrown error. */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * Wraps a tool handler so a `ToolFailure` becomes an `isError` result with its message, and any other
 * exception an `isError` result that says the tool failed internally (logged to stderr, never stdout,
 * which carries the protocol on stdio).
 */
export function guarded<Args extends unknown[]>(
  tool: string,
  handler: (...args: Args) => Promise<CallToolResult>,
): (...args: Args) => Promise<CallToolResult> {
  return async (...args: Args) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof ToolFailure) return toolError(error.message);
      process.stderr.write(`deckhand server: ${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return toolError(`${tool} failed with an internal error; the operation was not completed. Try again, or report it.`);
    }
  };
}
