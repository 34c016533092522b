/** @module The issues server's own tables (created by `migrations.ts`). */
import type { EntityDatabase } from '../notes/tables.js';

export type IssueStatus = 'open' | 'in_progress' | 'resolved' | 'closed';
export type IssuePriority = 'low' | 'medium' | 'high' | 'urgent';

export interface IssueTable {
  id: string;
  title: string;
  body: string;
  status: IssueStatus;
  priority: IssuePriority;
  assignee: string | null;
  /** JSON array of label strings. */
  labels: string;
  /** What it is about, e.g. `order:XYZ-789` or `customer:C-1001`. */
  related_to: string | null;
  created_at: string;
  updated_at: string;
}

export interface IssueCommentTable {
  id: string;
  issue_id: string;
  author: string;
  text: string;
  created_at: string;
}

/** The tables the issues server owns. */
export type IssuesTables = {
  issues: IssueTable;
  issue_comments: IssueCommentTable;
};

/** What the issues server queries: the same as the notes server (see `EntityDatabase`). */
export type IssuesDatabase = EntityDatabase;
