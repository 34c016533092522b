import { type Kysely, type Selectable, sql } from 'kysely';
import type { IssuePriority, IssuesDatabase, IssueStatus, IssueTable } from './tables.js';
import { normalizeId, similarIds } from '../notes/entity-ref.js';
import { newId, nowIso } from '../shared/ids.js';
import { decodeCursor, toPage } from '../shared/pagination.js';
import { containsInsensitive } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';
import type { Issue, IssueComment, IssueSummary } from './schemas.js';
import { canTransition, nextStatuses } from './status-transitions.js';

/** Numbering starts after this when there are no issues yet: the first is ISS-101, like the demo data. */
const FIRST_ISSUE_NUMBER = 100;
/** How many comments `get_issue` shows: the most recent ones. */
export const COMMENTS_SHOWN = 50;

/** Filters of `list_issues`; each is optional and they combine with AND. */
export interface IssueFilters {
  readonly status?: IssueStatus | undefined;
  /** One label, matched case-insensitively against the issue's labels. */
  readonly label?: string | undefined;
  /** Matched case-insensitively. */
  readonly assignee?: string | undefined;
  /** Canonical `type:id`, as stored. */
  readonly relatedTo?: string | undefined;
}

/** A new issue; `related_to` is canonical and has been checked to exist. */
export interface NewIssue {
  readonly title: string;
  readonly body: string;
  readonly priority: IssuePriority;
  readonly assignee: string | null;
  readonly labels: readonly string[];
  readonly relatedTo: string | null;
}

/** The fields `update_issue` can change; `undefined` leaves a field alone, `assignee: null` unassigns. */
export interface IssueChanges {
  readonly status?: IssueStatus | undefined;
  readonly priority?: IssuePriority | undefined;
  readonly assignee?: string | null | undefined;
  readonly labels?: readonly string[] | undefined;
  readonly title?: string | undefined;
}

/** Names of the fields an update actually changed, in a fixed order. */
export type ChangedField = 'status' | 'priority' | 'assignee' | 'labels' | 'title';

/** `ISS-101`, `iss-101` and `101` all become `ISS-101`. */
export function normalizeIssueId(input: string): string {
  return normalizeId('issue', input);
}

/** Trimmed, lower-case, first occurrence kept: `[' Inventory', 'inventory']` → `['inventory']`. */
export function normalizeLabels(labels: readonly string[]): string[] {
  return [...new Set(labels.map((label) => label.trim().toLowerCase()).filter((label) => label !== ''))];
}

function parseLabels(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((label): label is string => typeof label === 'string') : [];
  } catch {
    return [];
  }
}

function toIssue(row: Selectable<IssueTable>): Issue {
  return { ...row, labels: parseLabels(row.labels) };
}

function toSummary({ body: _body, ...rest }: Issue): IssueSummary {
  return rest;
}

/**
 * SQLite "UNIQUE constraint failed: issues.id" or a PostgreSQL unique violation (23505), or a writer
 * conflict: another process took the issue number this transaction computed, so computing it again helps.
 */
export function isIssueIdConflict(error: unknown): boolean {
  const text = `${error}${(error as { code?: string })?.code ?? ''}`;
  return /UNIQUE constraint failed: issues\.id|23505|40001|SQLITE_BUSY|database is locked/.test(text);
}

/**
 * The issue tracker over the shared store. Built over the store or over a transaction, so a change commits
 * together with its idempotency record. Every query binds its input as parameters.
 */
export class IssueStore {
  constructor(private readonly db: Kysely<IssuesDatabase>) {}

  /** The issue, or undefined when there is none with this id (normalized first). */
  async find(issueId: string): Promise<Issue | undefined> {
    const row = await this.db
      .selectFrom('issues')
      .selectAll()
      .where('id', '=', normalizeIssueId(issueId))
      .executeTakeFirst();
    return row ? toIssue(row) : undefined;
  }

  /**
   * The issue.
   *
   * @throws ToolFailure naming the nearest issue ids when there is none.
   */
  async require(issueId: string): Promise<Issue> {
    const issue = await this.find(issueId);
    if (issue) return issue;
    const id = normalizeIssueId(issueId);
    const similar = await similarIds(this.db, 'issue', id);
    throw new ToolFailure(
      `No issue ${id}${similar.length > 0 ? `; did you mean ${similar.join(', ')}?` : '.'} Use list_issues to find the right id.`,
    );
  }

  /** The most recent `limit` comments in chronological order, and how many there are in all. */
  async comments(issueId: string, limit = COMMENTS_SHOWN): Promise<{ comments: IssueComment[]; total: number }> {
    const recent = await this.db
      .selectFrom('issue_comments')
      .select(['id', 'issue_id', 'author', 'text', 'created_at'])
      .where('issue_id', '=', issueId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    const counted = await this.db
      .selectFrom('issue_comments')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('issue_id', '=', issueId)
      .executeTakeFirst();
    return { comments: recent.reverse(), total: Number(counted?.count ?? 0) };
  }

  /**
   * One page of issues matching `filters`, in id order (ISS-99 before ISS-100: by length, then text). The
   * order is a stable keyset, so walking the pages never repeats or skips an issue.
   *
   * @throws ToolFailure when the cursor is malformed.
   */
  async list(
    filters: IssueFilters,
    page: { cursor?: string | undefined; limit: number },
  ): Promise<{ issues: IssueSummary[]; next_cursor: string | null }> {
    const after = decodeCursor(page.cursor);
    let query = this.db.selectFrom('issues').selectAll();
    if (filters.status) query = query.where('status', '=', filters.status);
    if (filters.relatedTo) query = query.where('related_to', '=', filters.relatedTo);
    const assignee = filters.assignee?.trim().toLowerCase();
    if (assignee) query = query.where((eb) => eb(eb.fn('lower', ['assignee']), '=', assignee));
    // Labels are a JSON array of lower-case strings; the quoted label matches one element exactly.
    if (filters.label)
      query = query.where(containsInsensitive(sql.ref('labels'), JSON.stringify(filters.label.trim().toLowerCase())));
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb(eb.fn('length', ['id']), '>', after.length),
          eb.and([eb(eb.fn('length', ['id']), '=', after.length), eb('id', '>', after)]),
        ]),
      );
    }
    const rows = await query
      .orderBy((eb) => eb.fn('length', ['id']))
      .orderBy('id')
      .limit(page.limit + 1)
      .execute();
    const { items, next_cursor } = toPage(rows, page.limit, (row) => row.id);
    return { issues: items.map((row) => toSummary(toIssue(row))), next_cursor };
  }

  /**
   * Creates an issue with the next sequential id (ISS-104 after ISS-103), computed here; run it in a
   * transaction and retry on {@link isIssueIdConflict} when several writers may race.
   */
  async create(input: NewIssue): Promise<Issue> {
    const now = nowIso();
    const row: Selectable<IssueTable> = {
      id: await this.nextId(),
      title: input.title,
      body: input.body,
      status: 'open',
      priority: input.priority,
      assignee: input.assignee,
      labels: JSON.stringify(normalizeLabels(input.labels)),
      related_to: input.relatedTo,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('issues').values(row).execute();
    return toIssue(row);
  }

  /**
   * Applies `changes` to `issue` and reports which fields really changed; values equal to the current ones
   * change nothing (and leave `updated_at` alone), so repeating an update is harmless.
   *
   * @throws ToolFailure when the status change is not allowed (see `status-transitions.ts`).
   */
  async update(issue: Issue, changes: IssueChanges): Promise<{ issue: Issue; changed: ChangedField[] }> {
    if (changes.status !== undefined && !canTransition(issue.status, changes.status)) {
      const allowed = nextStatuses(issue.status);
      throw new ToolFailure(
        `${issue.id} is ${issue.status} and cannot go to ${changes.status} directly; from ${issue.status} it can go to ${allowed.join(' or ')}` +
          `${issue.status === 'closed' ? ' (reopen it first, then move it on)' : ''}.`,
      );
    }
    const next: Issue = {
      ...issue,
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.priority !== undefined ? { priority: changes.priority } : {}),
      ...(changes.assignee !== undefined ? { assignee: changes.assignee } : {}),
      ...(changes.labels !== undefined ? { labels: normalizeLabels(changes.labels) } : {}),
      ...(changes.title !== undefined ? { title: changes.title } : {}),
    };
    const changed = (['status', 'priority', 'assignee', 'labels', 'title'] as const).filter(
      (field) => JSON.stringify(next[field]) !== JSON.stringify(issue[field]),
    );
    if (changed.length === 0) return { issue, changed };
    const updated: Issue = { ...next, updated_at: nowIso() };
    await this.db
      .updateTable('issues')
      .set({
        status: updated.status,
        priority: updated.priority,
        assignee: updated.assignee,
        labels: JSON.stringify(updated.labels),
        title: updated.title,
        updated_at: updated.updated_at,
      })
      .where('id', '=', issue.id)
      .execute();
    return { issue: updated, changed };
  }

  /** Adds a comment to an existing issue and touches its `updated_at`. */
  async comment(issueId: string, comment: { text: string; author: string }): Promise<IssueComment> {
    const row: IssueComment = {
      id: newId('CMT'),
      issue_id: issueId,
      author: comment.author,
      text: comment.text,
      created_at: nowIso(),
    };
    await this.db.insertInto('issue_comments').values(row).execute();
    await this.db.updateTable('issues').set({ updated_at: row.created_at }).where('id', '=', issueId).execute();
    return row;
  }

  /** One more than the highest `ISS-<number>`; ids sort by length first so ISS-1000 counts above ISS-999. */
  private async nextId(): Promise<string> {
    const rows = await this.db
      .selectFrom('issues')
      .select('id')
      .where('id', 'like', 'ISS-%')
      .orderBy((eb) => eb.fn('length', ['id']), 'desc')
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
    const numbers = rows
      .map((row) => /^ISS-(\d+)$/.exec(row.id)?.[1])
      .filter((digits) => digits !== undefined)
      .map(Number);
    return `ISS-${Math.max(FIRST_ISSUE_NUMBER, ...numbers) + 1}`;
  }
}
