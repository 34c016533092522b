import type { IssueStatus } from './tables.js';

/**
 * Where an issue may go from each status. Work moves forward freely (open → in_progress → resolved → closed,
 * skipping steps allowed), and can go back while it is not closed. A resolved issue may be reopened (to open
 * or in_progress). A closed issue is final except for a reopen to `open`: it cannot jump straight back to
 * in_progress or resolved, so every revival of closed work is visible as a reopen first.
 */
const ALLOWED: ReadonlyMap<IssueStatus, readonly IssueStatus[]> = new Map<IssueStatus, readonly IssueStatus[]>([
  ['open', ['in_progress', 'resolved', 'closed']],
  ['in_progress', ['open', 'resolved', 'closed']],
  ['resolved', ['open', 'in_progress', 'closed']],
  ['closed', ['open']],
]);

/** The statuses reachable from `from` in one update (not counting staying put, which is always allowed). */
export function nextStatuses(from: IssueStatus): readonly IssueStatus[] {
  return ALLOWED.get(from) ?? [];
}

/** True when an issue in `from` may be set to `to`; setting the status it already has is a no-op and allowed. */
export function canTransition(from: IssueStatus, to: IssueStatus): boolean {
  return from === to || nextStatuses(from).includes(to);
}
