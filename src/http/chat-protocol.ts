/**
 * @module The frames of the `/ws/chat` WebSocket, declared once with zod: validated on the way in, and
 * published in the OpenAPI document (`components.schemas`) for other clients.
 */
import { z } from 'zod';

const id = z.string().min(1).max(200);
const note = z.string().max(2_000, 'at most 2000 characters');
const eventId = z.number().int('expected a whole number').min(0);

/** Follow a session: its events with an id above `lastEventId` (default 0: all), then live ones. */
export const SubscribeFrameSchema = z.strictObject({ type: z.literal('subscribe'), sessionId: id, lastEventId: eventId.optional() });

/** Send a message: a run in the session (a new session when `sessionId` is absent). */
export const MessageFrameSchema = z.strictObject({
  type: z.literal('message'),
  sessionId: id.optional(),
  text: z.string().trim().min(1, 'must not be empty').max(20_000),
  lastEventId: eventId.optional(),
});

/** Approve a pending action once or for the session, with edited arguments (an elicitation's answer) when given. */
export const ApproveFrameSchema = z.strictObject({
  type: z.literal('approve'),
  approvalId: id,
  note: note.optional(),
  scope: z.enum(['once', 'session']).optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  /** Resume the run once nothing else of it is pending. Default true. */
  resume: z.boolean().optional(),
});

/** Deny a pending action; the agent reads the note. */
export const DenyFrameSchema = z.strictObject({ type: z.literal('deny'), approvalId: id, note: note.optional(), resume: z.boolean().optional() });

/** Answer the agent's question (`ask_user`). */
export const AnswerFrameSchema = z.strictObject({
  type: z.literal('answer'),
  approvalId: id,
  text: z.string().trim().min(1, 'must not be empty').max(10_000),
  resume: z.boolean().optional(),
});

/** Cancel a run executing in this server. */
export const CancelFrameSchema = z.strictObject({ type: z.literal('cancel'), runId: id });

/** Any frame a client sends on `/ws/chat`. */
export const ChatClientFrameSchema = z.discriminatedUnion('type', [
  SubscribeFrameSchema,
  MessageFrameSchema,
  ApproveFrameSchema,
  DenyFrameSchema,
  AnswerFrameSchema,
  CancelFrameSchema,
]);
/** A validated client frame. */
export type ChatClientFrame = z.infer<typeof ChatClientFrameSchema>;

/** The query of the handshake: follow a session from the start, e.g. `/ws/chat?sessionId=…&lastEventId=42`. */
export const ChatQuerySchema = z.strictObject({
  sessionId: id.optional(),
  lastEventId: z.coerce.number().int('expected a whole number').min(0).optional(),
});

/** A run event as the server sends it: the event's own fields plus the session and the per-session id. */
export const ChatEventFrameSchema = z
  .object({
    id: z.number().int().positive().describe('Per-session event id: 1, 2, 3, … in order; send the last one seen as lastEventId to resume.'),
    sessionId: z.string(),
    runId: z.string(),
    type: z.enum(['run-start', 'step-start', 'text-delta', 'tool-call', 'tool-result', 'tool-error', 'usage', 'approval-request', 'approval-response', 'step-end', 'run-end']),
    at: z.number().describe('Milliseconds since the epoch.'),
  })
  .loose();

/** The frames the server sends that are not run events (no id: they are not replayed). */
export const ChatServerNoticeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), sessionId: z.string(), lastEventId: z.number().int(), replayed: z.number().int() }),
  z.object({ type: z.literal('ack'), for: z.enum(['message', 'approve', 'deny', 'answer', 'cancel']), sessionId: z.string().optional(), runId: z.string().optional(), approvalId: z.string().optional(), status: z.string().optional(), resumed: z.boolean().optional(), reason: z.string().optional() }),
  z.object({ type: z.literal('approval-resolved'), sessionId: z.string(), approval: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string(), approvalId: z.string().optional() }),
]);
