import type { CallToolResult } from '@modelcontextprotocol/server';

/** A successful tool result: a short text for people and models, plus the structured content. */
export function ok<T extends Record<string, unknown>>(text: string, structured: T): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A tool failure the model can read and act on (MCP `isError`), never a thrown error. */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
