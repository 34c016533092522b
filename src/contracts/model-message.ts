/**
 * @module A session's transcript messages as they are stored (`session_messages.message`): the schema they are
 * parsed with on the way back, so a damaged row is an error naming the session, never a message misread. Objects
 * are loose: a field this release does not know is kept, not dropped.
 */
import { z } from 'zod';

/** One tool call the model asked for; `input` is parsed JSON. */
export const ToolCallSchema = z.looseObject({ id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) });

/** A tool's outcome as fed back to the model. */
export const ToolResultPartSchema = z.looseObject({
  toolCallId: z.string(),
  toolName: z.string(),
  output: z.string(),
  isError: z.boolean(),
  ranWith: z.record(z.string(), z.unknown()).optional(),
});

/** A message of the transcript the loop sends the model. */
export const ModelMessageSchema = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: z.string() }),
  z.looseObject({ role: z.literal('user'), content: z.string() }),
  z.looseObject({ role: z.literal('assistant'), text: z.string(), toolCalls: z.array(ToolCallSchema) }),
  z.looseObject({ role: z.literal('tool'), results: z.array(ToolResultPartSchema) }),
]);
