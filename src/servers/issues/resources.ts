import type { McpServer } from '@modelcontextprotocol/server';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { IssuesDatabase } from './tables.js';
import { embeddedJson, jsonResource, registerRecordTemplate, RESOURCE_LIST_LIMIT, unknownArgument } from '../shared/resource-content.js';

/** Labels are stored as a JSON array; a malformed value reads as no labels rather than failing the read. */
function parseLabels(labels: string): string[] {
  try {
    const parsed: unknown = JSON.parse(labels);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** Open and in-progress issues, most urgent first, then oldest first. */
async function openIssues(db: Kysely<IssuesDatabase>) {
  const rows = await db
    .selectFrom('issues')
    .select(['id', 'title', 'status', 'priority', 'assignee', 'labels', 'related_to', 'created_at', 'updated_at'])
    .where('status', 'in', ['open', 'in_progress'])
    .orderBy(sql`case priority when 'urgent' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`)
    .orderBy('created_at')
    .limit(RESOURCE_LIST_LIMIT)
    .execute();
  return rows.map((row) => ({ ...row, labels: parseLabels(row.labels) }));
}

/** One issue with all its comments, oldest first; undefined when there is no such issue. */
async function issueRecord(db: Kysely<IssuesDatabase>, issueId: string) {
  const issue = await db.selectFrom('issues').selectAll().where('id', '=', issueId).executeTakeFirst();
  if (!issue) return undefined;
  const comments = await db
    .selectFrom('issue_comments')
    .select(['id', 'author', 'text', 'created_at'])
    .where('issue_id', '=', issueId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return { ...issue, labels: parseLabels(issue.labels), comments };
}

/** Issues: `issues://issues/open`, `issues://issues/{issue_id}`, and prompt `triage_issue`. */
export function registerIssuesResources(server: McpServer, db: Kysely<IssuesDatabase>): void {
  server.registerResource(
    'open-issues',
    'issues://issues/open',
    {
      title: 'Open issues',
      description: `Open and in-progress issues (up to ${RESOURCE_LIST_LIMIT}), most urgent first: title, priority, assignee, labels, what it relates to.`,
      mimeType: 'application/json',
    },
    async (uri) => jsonResource(uri, await openIssues(db)),
  );

  registerRecordTemplate(server, {
    name: 'issue',
    template: 'issues://issues/{issue_id}',
    variable: 'issue_id',
    title: 'Issue',
    description: 'One issue with its body and every comment (e.g. issues://issues/ISS-101).',
    what: 'issue',
    hint: 'See issues://issues/open for open issue ids.',
    load: (id) => issueRecord(db, id),
  });

  server.registerPrompt(
    'triage_issue',
    {
      title: 'Triage an issue',
      description: 'Propose a priority, an owner and the next step for one issue, from its body, labels and comments.',
      argsSchema: z.object({ issue_id: z.string().trim().min(1).max(64).describe('Issue id, e.g. ISS-101') }),
    },
    async ({ issue_id }) => {
      const issueId = issue_id.toUpperCase();
      const issue = await issueRecord(db, issueId);
      if (!issue) unknownArgument(`No issue ${issueId}. Read issues://issues/open for open issue ids.`);
      return {
        description: `Triage of ${issueId}: ${issue.title}`,
        messages: [
          { role: 'user', content: embeddedJson(`issues://issues/${issueId}`, issue) },
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                `Triage issue ${issueId} ("${issue.title}", now ${issue.status}, ${issue.priority} priority). Propose: the ` +
                'priority (low, medium, high or urgent) with a one-line reason, who should own it, and the single next step. ' +
                'Say whether the status should change. Keep it under 120 words.',
            },
          },
        ],
      };
    },
  );
}
