import { z } from 'zod';
import type { EmailStatus } from './tables.js';

/** The outbox statuses, as stored. */
export const EMAIL_STATUSES = ['queued', 'sent', 'failed'] as const satisfies readonly EmailStatus[];
/** Longest subject, in characters. */
export const MAX_SUBJECT_LENGTH = 200;
/** Longest body, in characters. */
export const MAX_BODY_LENGTH = 20_000;
/** Shortest and longest `search_emails` query, in characters (after trimming). */
export const MIN_QUERY_LENGTH = 2;
export const MAX_QUERY_LENGTH = 200;

/** One recipient address, trimmed; at most 254 characters (RFC 5321). */
export const RecipientSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be one email address like name@example.com' }));

/** A subject: one line, because a line break in a header could smuggle in other headers. */
export const SubjectSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_SUBJECT_LENGTH)
  .regex(/^[^\r\n]*$/, 'must be a single line');

/** A plain-text body. */
export const BodySchema = z.string().trim().min(1).max(MAX_BODY_LENGTH);

/** What both senders return. Kept as it was first published: the offline planner and the CLI rely on it. */
export const EmailResultSchema = z.object({
  email_id: z.string(),
  to: z.string(),
  subject: z.string(),
  status: z.enum(EMAIL_STATUSES),
  delivered: z.boolean(),
  note: z.string().nullable(),
  duplicate: z.boolean(),
});
export type EmailResult = z.infer<typeof EmailResultSchema>;

/** An email as the list and search tools return it: the body cut to a preview. */
export const EmailSummarySchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  status: z.enum(EMAIL_STATUSES),
  kind: z.string().describe('What produced it, e.g. shipping-confirmation or message'),
  order_id: z.string().nullable(),
  delivery_note: z.string().nullable().describe('Why it is not delivered, when it is not'),
  created_at: z.string(),
  preview: z.string().describe('The start of the body, on one line'),
});
export type EmailSummary = z.infer<typeof EmailSummarySchema>;

/** One email in full. */
export const EmailDetailSchema = EmailSummarySchema.omit({ preview: true }).extend({
  body: z.string(),
  updated_at: z.string(),
});
export type EmailDetail = z.infer<typeof EmailDetailSchema>;
