import { z } from 'zod';

/**
 * Checks tool arguments against the tool's input JSON Schema (as an MCP server declared it). Returns one sentence
 * naming each problem (`text: Too big: expected string to have <=5 characters`), or undefined when they fit. A
 * schema that cannot be read checks nothing: the server validates the call itself.
 */
export function checkArguments(schema: unknown, args: Record<string, unknown>): string | undefined {
  let parser: z.ZodType;
  try {
    parser = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return undefined;
  }
  const result = parser.safeParse(args);
  if (result.success) return undefined;
  return result.error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
