/**
 * @module Validation of everything a client sends (bodies, params, queries, headers, WebSocket frames) with zod,
 * reported as one message naming the first bad field and what it expects.
 */
import { z } from 'zod';
import { BadRequestError } from './errors.js';

/** Turns the first zod issue into one line: `body.task: is required`. */
export function describeIssue(where: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${where}: invalid`;
  const path = [where, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') return `${path}: unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `${path}: is required`;
  return `${path}: ${issue.message}`;
}

/** Parses `value` or throws `BadRequestError` (400) with one message. `where` names it: `body`, `query`, `params`. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, value: unknown, where: string): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequestError(describeIssue(where, result.error));
  return result.data;
}

/** An id in a path: runs and sessions are UUIDs or names given with `--session`, approvals `AP-…`. */
export const IdParamsSchema = z.object({ id: z.string().min(1).max(200) });

/** Who decided, from the `x-deckhand-actor` header: printable, at most 100 characters. */
export const ActorSchema = z
  .string({ error: 'expected one header value' })
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'at most 100 characters')
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');

/** The actor recorded for decisions made without an `x-deckhand-actor` header. */
export const DEFAULT_ACTOR = 'api';

/** Reads the actor header: `api` when absent, 400 when present but invalid. */
export function actorFrom(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const value = headers['x-deckhand-actor'];
  if (value === undefined) return DEFAULT_ACTOR;
  return parseInput(ActorSchema, value, 'header x-deckhand-actor');
}

const budgetUsd = z.number().positive('expected an amount in US dollars above 0').finite();
const maxSteps = z.number().int('expected a whole number').min(1).max(200);

/** `POST /api/runs` and `POST /api/sessions/:id/runs`. */
export const StartRunBodySchema = z.strictObject({
  task: z.string().trim().min(1, 'must not be empty').max(20_000),
  yes: z.boolean().optional(),
  maxSteps: maxSteps.optional(),
  budgetUsd: budgetUsd.optional(),
});

/** `POST /api/runs/:id/resume`; the body may be omitted. */
export const ResumeBodySchema = z.strictObject({ yes: z.boolean().optional(), maxSteps: maxSteps.optional(), budgetUsd: budgetUsd.optional() });

const note = z.string().max(2_000, 'at most 2000 characters');

/** `POST /api/approvals/:id/approve`. */
export const ApproveBodySchema = z.strictObject({
  note: note.optional(),
  scope: z.enum(['once', 'session']).optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  resume: z.boolean().optional(),
});

/** `POST /api/approvals/:id/deny`. */
export const DenyBodySchema = z.strictObject({ note: note.optional(), resume: z.boolean().optional() });

/** `POST /api/approvals/:id/answer`. */
export const AnswerBodySchema = z.strictObject({ answer: z.string().trim().min(1, 'must not be empty').max(10_000), resume: z.boolean().optional() });

/** A client frame on the run stream: resolve one of the run's approvals. */
export const ClientFrameSchema = z.discriminatedUnion('type', [
  ApproveBodySchema.extend({ type: z.literal('approve'), approvalId: z.string().min(1).max(200) }),
  DenyBodySchema.extend({ type: z.literal('deny'), approvalId: z.string().min(1).max(200) }),
  AnswerBodySchema.extend({ type: z.literal('answer'), approvalId: z.string().min(1).max(200) }),
]);
/** A validated client frame. */
export type ClientFrame = z.infer<typeof ClientFrameSchema>;
