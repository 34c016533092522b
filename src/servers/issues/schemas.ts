import { z } from 'zod';

/** Longest issue title, in characters. */
export const MAX_TITLE_LENGTH = 200;
/** Longest issue body, in characters. */
export const MAX_BODY_LENGTH = 8_000;
/** Most labels on one issue. */
export const MAX_LABELS = 10;
/** Longest label, in characters. */
export const MAX_LABEL_LENGTH = 40;
/** Longest comment, in characters. */
export const MAX_COMMENT_LENGTH = 4_000;
/** Longest assignee or author name, in characters. */
export const MAX_PERSON_LENGTH = 100;
/** Who a comment is from when the caller does not say. */
export const DEFAULT_COMMENT_AUTHOR = 'deckhand';

export const IssueStatusSchema = z.enum(['open', 'in_progress', 'resolved', 'closed']);
export const IssuePrioritySchema = z.enum(['low', 'medium', 'high', 'urgent']);

/** `ISS-101`; `iss-101` and `101` are accepted and normalized. */
export const IssueIdInputSchema = z.string().trim().min(1).max(32).describe('Issue id, e.g. ISS-101');

export const TitleInputSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TITLE_LENGTH)
  .describe(`Short summary, 1-${MAX_TITLE_LENGTH} characters`);

/** Labels are stored trimmed, lower-case and without duplicates, so filtering by label is case-insensitive. */
export const LabelsInputSchema = z
  .array(z.string().trim().min(1).max(MAX_LABEL_LENGTH))
  .max(MAX_LABELS)
  .describe(
    `Up to ${MAX_LABELS} labels of 1-${MAX_LABEL_LENGTH} characters, e.g. ["inventory", "follow-up"]; stored lower-case`,
  );

export const PersonInputSchema = z.string().trim().min(1).max(MAX_PERSON_LENGTH);

/** An issue as the tools return it. */
export const IssueSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  status: IssueStatusSchema,
  priority: IssuePrioritySchema,
  assignee: z.string().nullable(),
  labels: z.array(z.string()),
  related_to: z.string().nullable().describe('What the issue is about, e.g. order:XYZ-789'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Issue = z.infer<typeof IssueSchema>;

/** An issue in a listing: everything but the body. */
export const IssueSummarySchema = IssueSchema.omit({ body: true });
export type IssueSummary = z.infer<typeof IssueSummarySchema>;

export const IssueCommentSchema = z.object({
  id: z.string(),
  issue_id: z.string(),
  author: z.string(),
  text: z.string(),
  created_at: z.string(),
});
export type IssueComment = z.infer<typeof IssueCommentSchema>;

/** The `replayed` flag every side-effecting issues tool returns. */
export const ReplayedSchema = z
  .boolean()
  .describe('True when this idempotency_key was used before: the first result is returned and nothing was done again');
