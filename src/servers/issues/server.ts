import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { delay } from '../../shared/abort.js';
import type { IssuesDatabase } from './tables.js';
import { EntityInputSchema, formatEntity, resolveEntity } from '../notes/entity-ref.js';
import { IdempotencyKeySchema, runOnce } from '../shared/idempotency.js';
import { NextCursorSchema, PageInputShape } from '../shared/pagination.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { guarded, ok } from '../shared/tool-result.js';
import { IssueStore, isIssueIdConflict } from './issue-store.js';
import {
  DEFAULT_COMMENT_AUTHOR,
  type Issue,
  IssueCommentSchema,
  IssueIdInputSchema,
  IssuePrioritySchema,
  IssueSchema,
  IssueStatusSchema,
  IssueSummarySchema,
  LabelsInputSchema,
  MAX_BODY_LENGTH,
  MAX_COMMENT_LENGTH,
  MAX_LABEL_LENGTH,
  PersonInputSchema,
  ReplayedSchema,
  TitleInputSchema,
} from './schemas.js';

/**
 * How often `create_issue` recomputes the next id after another writer took it. Each round at least one
 * racing writer wins, so this covers that many simultaneous creates.
 */
const CREATE_ATTEMPTS = 12;

const RelatedToSchema = EntityInputSchema.describe(
  'What the issue is about, e.g. "order:XYZ-789", "customer:C-1001" or "sku:RNG-14K-07"; it must exist',
);

function issueLine(issue: Omit<Issue, 'body'>): string {
  const labels = issue.labels.length > 0 ? ` [${issue.labels.join(', ')}]` : '';
  const about = issue.related_to ? ` (${issue.related_to})` : '';
  return `${issue.id} ${issue.status} ${issue.priority}: ${issue.title}${about}${labels} — ${issue.assignee ?? 'unassigned'}`;
}

/**
 * The issues MCP server, a Notion-like tracker: read and list issues, create them with sequential ids
 * (ISS-104, …), update status/priority/assignee/labels/title, and comment. Side effects go through
 * `runOnce`, so a repeated idempotency key returns the first result.
 */
export function createIssuesServer(db: Kysely<IssuesDatabase>, version: string): McpServer {
  const server = new McpServer({ name: 'deckhand-issues', version }, { capabilities: { tools: {} } });
  const issues = new IssueStore(db);

  server.registerTool(
    'get_issue',
    {
      title: 'Get an issue',
      description:
        'Read one issue: title, body, status, priority, assignee, labels, what it relates to, and its most recent comments.',
      inputSchema: z.object({ issue_id: IssueIdInputSchema }),
      outputSchema: IssueSchema.extend({
        comments: z.array(IssueCommentSchema).describe('The most recent comments, oldest first'),
        comment_count: z.number().int().describe('How many comments the issue has in all'),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('get_issue', async ({ issue_id }) => {
      const issue = await issues.require(issue_id);
      const { comments, total } = await issues.comments(issue.id);
      const shown = total > comments.length ? ` (latest ${comments.length} of ${total})` : '';
      const text = [
        issueLine(issue),
        ...(issue.body ? [issue.body] : []),
        ...(total > 0
          ? [
              `Comments${shown}:`,
              ...comments.map((comment) => `- ${comment.created_at} ${comment.author}: ${comment.text}`),
            ]
          : []),
      ].join('\n');
      return ok(text, { ...issue, comments, comment_count: total });
    }),
  );

  server.registerTool(
    'list_issues',
    {
      title: 'List issues',
      description:
        'List issues in id order, optionally filtered by status, label, assignee or what they relate to (e.g. "order:XYZ-789"). ' +
        'Bodies are left out; use get_issue for one issue. Pass next_cursor back as cursor for the next page.',
      inputSchema: z.object({
        status: IssueStatusSchema.optional(),
        label: z
          .string()
          .trim()
          .min(1)
          .max(MAX_LABEL_LENGTH)
          .optional()
          .describe('Only issues with this label (case-insensitive)'),
        assignee: PersonInputSchema.optional().describe('Only issues assigned to this person (case-insensitive)'),
        related_to: RelatedToSchema.optional(),
        ...PageInputShape,
      }),
      outputSchema: z.object({ issues: z.array(IssueSummarySchema), next_cursor: NextCursorSchema }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('list_issues', async ({ status, label, assignee, related_to, cursor, limit }) => {
      const relatedTo = related_to ? formatEntity(await resolveEntity(db, related_to)) : undefined;
      const page = await issues.list({ status, label, assignee, relatedTo }, { cursor, limit });
      const more = page.next_cursor ? '\n(more: pass next_cursor as cursor)' : '';
      const text =
        page.issues.length === 0
          ? `No ${cursor ? 'more ' : ''}issues match.`
          : `${page.issues.length} issue${page.issues.length === 1 ? '' : 's'}:\n${page.issues.map(issueLine).join('\n')}${more}`;
      return ok(text, page);
    }),
  );

  server.registerTool(
    'create_issue',
    {
      title: 'Create an issue',
      description:
        'Open a new issue in the tracker; it gets the next id (ISS-104, …) and status open. ' +
        'Pass an idempotency_key so a retried call creates it only once.',
      inputSchema: z.object({
        title: TitleInputSchema,
        body: z
          .string()
          .trim()
          .max(MAX_BODY_LENGTH)
          .default('')
          .describe(`Details, up to ${MAX_BODY_LENGTH} characters`),
        priority: IssuePrioritySchema.default('medium').describe('low, medium (default), high or urgent'),
        assignee: PersonInputSchema.optional().describe('Who should work on it; omit to leave it unassigned'),
        labels: LabelsInputSchema.default([]),
        related_to: RelatedToSchema.optional(),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: IssueSchema.extend({ replayed: ReplayedSchema }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded('create_issue', async ({ title, body, priority, assignee, labels, related_to, idempotency_key }) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const { result, replayed } = await runOnce(
            db,
            { key: idempotency_key, tool: 'issues.create_issue' },
            async (trx) => {
              const relatedTo = related_to ? formatEntity(await resolveEntity(trx, related_to)) : null;
              return new IssueStore(trx).create({
                title,
                body,
                priority,
                assignee: assignee ?? null,
                labels,
                relatedTo,
              });
            },
          );
          const text = `${replayed ? 'Already created (same idempotency_key): ' : 'Created '}${issueLine(result)}`;
          return ok(text, { ...result, replayed });
        } catch (error) {
          // Another writer took the number this transaction computed; everything rolled back, so recompute.
          if (error instanceof ToolFailure || !isIssueIdConflict(error) || attempt >= CREATE_ATTEMPTS) throw error;
          // Jitter, so writers that collided do not collide again in lockstep.
          await delay(attempt * (2 + Math.random() * 8));
        }
      }
    }),
  );

  server.registerTool(
    'update_issue',
    {
      title: 'Update an issue',
      description:
        "Change an issue's status, priority, assignee (null to unassign), labels (replaces them) or title; give at least one. " +
        'Status moves: open, in_progress and resolved can go to any other status; a closed issue can only be reopened (to open). ' +
        'Returns the issue and which fields changed; values equal to the current ones change nothing.',
      inputSchema: z.object({
        issue_id: IssueIdInputSchema,
        status: IssueStatusSchema.optional(),
        priority: IssuePrioritySchema.optional(),
        assignee: PersonInputSchema.nullable().optional().describe('New assignee, or null to unassign'),
        labels: LabelsInputSchema.optional(),
        title: TitleInputSchema.optional(),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: IssueSchema.extend({
        changed: z
          .array(z.enum(['status', 'priority', 'assignee', 'labels', 'title']))
          .describe('Fields whose value changed; empty when nothing did'),
        replayed: ReplayedSchema,
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded('update_issue', async ({ issue_id, idempotency_key, ...changes }) => {
      if (Object.values(changes).every((value) => value === undefined)) {
        throw new ToolFailure('Nothing to update: give at least one of status, priority, assignee, labels or title.');
      }
      const { result, replayed } = await runOnce(
        db,
        { key: idempotency_key, tool: 'issues.update_issue' },
        async (trx) => {
          const store = new IssueStore(trx);
          const { issue, changed } = await store.update(await store.require(issue_id), changes);
          return { ...issue, changed };
        },
      );
      const what = result.changed.length > 0 ? `changed ${result.changed.join(', ')}` : 'nothing changed (already so)';
      const text = `${replayed ? 'Already done (same idempotency_key): ' : ''}Updated ${result.id}: ${what}.\n${issueLine(result)}`;
      return ok(text, { ...result, replayed });
    }),
  );

  server.registerTool(
    'comment_issue',
    {
      title: 'Comment on an issue',
      description: 'Add a comment to an issue. Pass an idempotency_key so a retried call comments only once.',
      inputSchema: z.object({
        issue_id: IssueIdInputSchema,
        text: z
          .string()
          .trim()
          .min(1)
          .max(MAX_COMMENT_LENGTH)
          .describe(`The comment, 1-${MAX_COMMENT_LENGTH} characters`),
        author: PersonInputSchema.default(DEFAULT_COMMENT_AUTHOR).describe(
          `Who the comment is from (default "${DEFAULT_COMMENT_AUTHOR}")`,
        ),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: IssueCommentSchema.extend({ replayed: ReplayedSchema }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded('comment_issue', async ({ issue_id, text, author, idempotency_key }) => {
      const { result, replayed } = await runOnce(
        db,
        { key: idempotency_key, tool: 'issues.comment_issue' },
        async (trx) => {
          const store = new IssueStore(trx);
          const issue = await store.require(issue_id);
          return store.comment(issue.id, { text, author });
        },
      );
      return ok(
        `${replayed ? 'Already commented (same idempotency_key): ' : 'Commented on '}${result.issue_id} as ${result.author} (${result.id}).`,
        {
          ...result,
          replayed,
        },
      );
    }),
  );

  return server;
}
