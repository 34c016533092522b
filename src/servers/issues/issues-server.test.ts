import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend, resultText, type ServerHarness, stdioHarness, structured } from '../testing/server-harness.js';
import type { Issue, IssueComment, IssueSummary } from './schemas.js';

type FullIssue = Issue & { comments: IssueComment[]; comment_count: number };
type Created = Issue & { replayed: boolean };
type Updated = Issue & { changed: string[]; replayed: boolean };
type Commented = IssueComment & { replayed: boolean };
interface IssuePage {
  issues: IssueSummary[];
  next_cursor: string | null;
}

const issueNumber = (id: string) => Number(id.slice('ISS-'.length));

/** The same behaviour on every store: SQLite through the real stdio server, PostgreSQL in-process. */
function issuesContract(name: string, open: () => Promise<ServerHarness>): void {
  describe(`issues server: ${name}`, () => {
    let issues: ServerHarness;
    const unique = randomUUID().slice(0, 8);
    const create = async (args: Record<string, unknown>) =>
      structured<Created>(await issues.call('create_issue', args));
    beforeAll(async () => {
      issues = await open();
    });
    afterAll(async () => {
      await issues?.close();
    });

    describe('tools/list', () => {
      it('annotates reads as read-only, update as idempotent, and nothing as destructive', async () => {
        const { tools } = await issues.client.listTools();
        const annotations = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]));
        expect(Object.keys(annotations).sort()).toEqual([
          'comment_issue',
          'create_issue',
          'get_issue',
          'list_issues',
          'update_issue',
        ]);
        expect(annotations.get_issue).toMatchObject({ readOnlyHint: true });
        expect(annotations.list_issues).toMatchObject({ readOnlyHint: true });
        expect(annotations.create_issue).toMatchObject({
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: false,
        });
        expect(annotations.update_issue).toMatchObject({
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: true,
        });
        expect(annotations.comment_issue).toMatchObject({
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: false,
        });
        expect(tools.every((tool) => tool.outputSchema)).toBe(true);
      });
    });

    describe('get_issue', () => {
      it('returns the issue with its labels as an array and its comments', async () => {
        for (const issue_id of ['ISS-102', 'iss-102', '102']) {
          const issue = structured<FullIssue>(await issues.call('get_issue', { issue_id }));
          expect(issue).toMatchObject({
            id: 'ISS-102',
            status: 'in_progress',
            priority: 'low',
            assignee: 'dana@store',
            labels: ['customer', 'follow-up'],
            related_to: 'order:XYZ-793',
            comments: [],
            comment_count: 0,
          });
          expect(issue.body).toContain('XYZ-793');
        }
      });

      it('answers an unknown issue with the nearest ids', async () => {
        const result = await issues.call('get_issue', { issue_id: 'ISS-1O1' });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/^No issue ISS-1O1; did you mean ISS-101/);
      });
    });

    describe('list_issues', () => {
      it('filters by label, assignee, status and related entity (bare or typed), case-insensitively', async () => {
        const ids = async (args: Record<string, unknown>) =>
          structured<IssuePage>(await issues.call('list_issues', args)).issues.map((issue) => issue.id);
        expect(await ids({ label: 'INVENTORY' })).toEqual(['ISS-101', 'ISS-103']);
        expect(await ids({ assignee: 'Dana@Store' })).toEqual(['ISS-102']);
        expect(await ids({ related_to: 'XYZ-793' })).toEqual(['ISS-102']);
        expect(await ids({ related_to: 'sku:pnd-emr-01', status: 'open' })).toEqual(['ISS-101']);
        expect(await ids({ related_to: 'sku:pnd-emr-01', status: 'closed' })).toEqual([]);
        const open = structured<IssuePage>(await issues.call('list_issues', { status: 'open', limit: 100 })).issues;
        expect(open.map((issue) => issue.id)).toContain('ISS-101');
        expect(open.every((issue) => issue.status === 'open' && !('body' in issue))).toBe(true);
      });

      it('treats a label as a whole label, not a substring or a pattern', async () => {
        const ids = async (label: string) =>
          structured<IssuePage>(await issues.call('list_issues', { label })).issues.map((issue) => issue.id);
        expect(await ids('follow')).toEqual([]);
        expect(await ids('%')).toEqual([]);
        expect(await ids('follow-up')).toEqual(['ISS-102']);
      });

      it('rejects an unknown related entity and a bad status', async () => {
        const related = await issues.call('list_issues', { related_to: 'order:XYZ-000' });
        expect(related.isError).toBe(true);
        expect(resultText(related)).toMatch(/^No order XYZ-000; did you mean/);
        const status = await issues.call('list_issues', { status: 'done' });
        expect(status.isError).toBe(true);
        expect(resultText(status)).toMatch(/status/);
      });

      it('walks pages of 2 in numeric id order with no duplicates or gaps', async () => {
        // ISS-99 sorts before ISS-101 by number although it sorts after it as text.
        await issues.insert('issues', {
          id: 'ISS-99',
          title: 'Legacy import',
          body: '',
          status: 'closed',
          priority: 'low',
          assignee: null,
          labels: '["legacy"]',
          related_to: null,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
        });
        const all = structured<IssuePage>(await issues.call('list_issues', { limit: 100 })).issues.map(
          (issue) => issue.id,
        );
        expect(all.slice(0, 4)).toEqual(['ISS-99', 'ISS-101', 'ISS-102', 'ISS-103']);
        expect(all).toEqual([...all].sort((left, right) => issueNumber(left) - issueNumber(right)));
        const walked: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: IssuePage = structured<IssuePage>(
            await issues.call('list_issues', { limit: 2, ...(cursor ? { cursor } : {}) }),
          );
          walked.push(...page.issues.map((issue) => issue.id));
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < 100);
        expect(walked).toEqual(all);
        expect(new Set(walked).size).toBe(walked.length);
        expect((await issues.call('list_issues', { cursor: 'garbage' })).isError).toBe(true);
      });
    });

    describe('create_issue', () => {
      it('opens an issue with the next sequential id and sensible defaults', async () => {
        const before = structured<IssuePage>(await issues.call('list_issues', { limit: 100 })).issues;
        const highest = Math.max(...before.map((issue) => issueNumber(issue.id)));
        const issue = await create({
          title: `Ring never arrived ${unique}`,
          related_to: 'order:xyz-789',
          labels: ['Shipping', ' shipping ', 'VIP'],
        });
        expect(issue).toMatchObject({
          id: `ISS-${highest + 1}`,
          status: 'open',
          priority: 'medium',
          assignee: null,
          body: '',
          labels: ['shipping', 'vip'],
          related_to: 'order:XYZ-789',
          replayed: false,
        });
        const next = await create({
          title: `Second ${unique}`,
          body: 'Details',
          priority: 'urgent',
          assignee: 'sam@store',
        });
        expect(next).toMatchObject({
          id: `ISS-${highest + 2}`,
          priority: 'urgent',
          assignee: 'sam@store',
          related_to: null,
          labels: [],
        });
        expect(structured<FullIssue>(await issues.call('get_issue', { issue_id: issue.id }))).toMatchObject({
          title: issue.title,
          labels: ['shipping', 'vip'],
        });
        expect(await issues.count('issues', { id: issue.id, related_to: 'order:XYZ-789' })).toBe(1);
      });

      it('gives concurrent creates distinct consecutive ids', async () => {
        const created = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((index) => create({ title: `Parallel ${index} ${unique}` })),
        );
        const numbers = created.map((issue) => issueNumber(issue.id)).sort((left, right) => left - right);
        expect(new Set(numbers).size).toBe(6);
        expect(numbers.at(-1)! - numbers[0]!).toBe(5);
      });

      it('refuses an unknown related entity and creates nothing', async () => {
        const before = await issues.count('issues', {});
        const result = await issues.call('create_issue', { title: 'About a typo', related_to: 'customer:C-9999' });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/^No customer C-9999; did you mean C-\d{4} \(/);
        expect(await issues.count('issues', {})).toBe(before);
      });

      it('rejects malformed or oversized input as a tool error and keeps serving', async () => {
        const before = await issues.count('issues', {});
        const bad: Array<[Record<string, unknown>, RegExp]> = [
          [{ title: '' }, /title/],
          [{ title: 't'.repeat(201) }, /title/],
          [{ title: 'ok', body: 'b'.repeat(8_001) }, /body/],
          [{ title: 'ok', priority: 'critical' }, /priority/],
          [{ title: 'ok', labels: Array.from({ length: 11 }, (_, index) => `l${index}`) }, /labels/],
          [{ title: 'ok', labels: ['l'.repeat(41)] }, /labels/],
          [{ title: 'ok', labels: 'inventory' }, /labels/],
          [{ title: 'ok', related_to: 'vendor:V-1' }, /Unknown entity type 'vendor'/],
        ];
        for (const [args, message] of bad) {
          const result = await issues.call('create_issue', args);
          expect(result.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
          expect(resultText(result)).toMatch(message);
        }
        expect(await issues.count('issues', {})).toBe(before);
        expect((await issues.call('get_issue', { issue_id: 'ISS-101' })).isError).toBeFalsy();
      });

      it('creates once per idempotency_key, also when the repeats arrive together', async () => {
        const key = `issues-${unique}-create`;
        const args = { title: `Idempotent ${unique}`, idempotency_key: key };
        const results = await Promise.all([1, 2, 3].map(() => issues.call('create_issue', args)));
        const created = results.map((result) => structured<Created>(result));
        expect(new Set(created.map((issue) => issue.id)).size).toBe(1);
        expect(created.filter((issue) => !issue.replayed)).toHaveLength(1);
        const again = structured<Created>(await issues.call('create_issue', args));
        const { replayed: _first, ...first } = created.find((issue) => !issue.replayed)!;
        expect(again).toEqual({ ...first, replayed: true });
        expect(await issues.count('issues', { title: args.title })).toBe(1);
        expect(await issues.count('idempotency_keys', { key, tool: 'issues.create_issue' })).toBe(1);
      });
    });

    describe('update_issue', () => {
      it('changes the given fields and reports which ones changed', async () => {
        const issue = await create({ title: `To update ${unique}`, labels: ['a'] });
        const updated = structured<Updated>(
          await issues.call('update_issue', {
            issue_id: issue.id,
            status: 'in_progress',
            priority: 'medium',
            assignee: 'sam@store',
            labels: ['B', 'a'],
          }),
        );
        expect(updated).toMatchObject({
          status: 'in_progress',
          priority: 'medium',
          assignee: 'sam@store',
          labels: ['b', 'a'],
          replayed: false,
        });
        expect(updated.changed).toEqual(['status', 'assignee', 'labels']);
        expect(updated.updated_at >= issue.updated_at).toBe(true);

        const again = structured<Updated>(
          await issues.call('update_issue', { issue_id: issue.id, status: 'in_progress', assignee: 'sam@store' }),
        );
        expect(again.changed).toEqual([]);
        expect(again.updated_at).toBe(updated.updated_at);

        const unassigned = structured<Updated>(
          await issues.call('update_issue', { issue_id: issue.id, assignee: null, title: `Renamed ${unique}` }),
        );
        expect(unassigned).toMatchObject({
          assignee: null,
          title: `Renamed ${unique}`,
          changed: ['assignee', 'title'],
        });
        expect(await issues.count('issues', { id: issue.id, title: `Renamed ${unique}`, status: 'in_progress' })).toBe(
          1,
        );
      });

      it('follows the status rules: a closed issue is only reopened, a resolved one may go back to work', async () => {
        const issue = await create({ title: `Lifecycle ${unique}` });
        const status = (next: string) => issues.call('update_issue', { issue_id: issue.id, status: next });
        expect(structured<Updated>(await status('resolved')).status).toBe('resolved');
        expect(structured<Updated>(await status('in_progress')).status).toBe('in_progress');
        expect(structured<Updated>(await status('closed')).status).toBe('closed');
        const jump = await status('in_progress');
        expect(jump.isError).toBe(true);
        expect(resultText(jump)).toMatch(/is closed and cannot go to in_progress directly; .*open.*reopen/);
        expect(await issues.count('issues', { id: issue.id, status: 'closed' })).toBe(1);
        expect(structured<Updated>(await status('open'))).toMatchObject({ status: 'open', changed: ['status'] });
      });

      it('needs at least one field and an existing issue', async () => {
        const empty = await issues.call('update_issue', { issue_id: 'ISS-101' });
        expect(empty.isError).toBe(true);
        expect(resultText(empty)).toMatch(/at least one of status, priority, assignee, labels or title/);
        const missing = await issues.call('update_issue', { issue_id: 'ISS-9999', status: 'closed' });
        expect(missing.isError).toBe(true);
        expect(resultText(missing)).toMatch(/^No issue ISS-9999; did you mean /);
        expect((await issues.call('update_issue', { issue_id: 'ISS-101', status: 'shipped' })).isError).toBe(true);
      });

      it('replays the first result for a repeated idempotency_key', async () => {
        const issue = await create({ title: `Keyed update ${unique}` });
        const args = { issue_id: issue.id, priority: 'high', idempotency_key: `issues-${unique}-update` };
        const first = structured<Updated>(await issues.call('update_issue', args));
        const second = structured<Updated>(await issues.call('update_issue', args));
        expect(first).toMatchObject({ priority: 'high', changed: ['priority'], replayed: false });
        expect(second).toEqual({ ...first, replayed: true });
      });
    });

    describe('comment_issue', () => {
      it('adds a comment that get_issue then shows, oldest first', async () => {
        const issue = await create({ title: `Commented ${unique}` });
        const first = structured<Commented>(
          await issues.call('comment_issue', { issue_id: issue.id, text: 'Called UPS', author: 'dana@store' }),
        );
        expect(first).toMatchObject({
          issue_id: issue.id,
          text: 'Called UPS',
          author: 'dana@store',
          replayed: false,
          id: expect.stringMatching(/^CMT-/),
        });
        const second = structured<Commented>(
          await issues.call('comment_issue', { issue_id: issue.id.toLowerCase(), text: 'Package found' }),
        );
        expect(second.author).toBe('deckhand');
        const full = structured<FullIssue>(await issues.call('get_issue', { issue_id: issue.id }));
        expect(full.comments.map((comment) => comment.text)).toEqual(['Called UPS', 'Package found']);
        expect(full.comment_count).toBe(2);
      });

      it('refuses an unknown issue or an empty comment', async () => {
        const missing = await issues.call('comment_issue', { issue_id: 'ISS-1999', text: 'hello' });
        expect(resultText(missing)).toMatch(/^No issue ISS-1999; did you mean /);
        const empty = await issues.call('comment_issue', { issue_id: 'ISS-101', text: ' ' });
        expect(empty.isError).toBe(true);
        expect(resultText(empty)).toMatch(/text/);
        expect((await issues.call('comment_issue', { issue_id: 'ISS-101', text: 'c'.repeat(4_001) })).isError).toBe(
          true,
        );
      });

      it('comments once per idempotency_key', async () => {
        const args = {
          issue_id: 'ISS-103',
          text: `Keyed comment ${unique}`,
          idempotency_key: `issues-${unique}-comment`,
        };
        const first = structured<Commented>(await issues.call('comment_issue', args));
        const second = structured<Commented>(await issues.call('comment_issue', args));
        expect(second).toEqual({ ...first, replayed: true });
        expect(await issues.count('issue_comments', { text: args.text })).toBe(1);
      });

      it('refuses a key already used by another tool', async () => {
        const key = `issues-${unique}-shared`;
        await create({ title: `Keyed ${unique}`, idempotency_key: key });
        const reused = await issues.call('comment_issue', { issue_id: 'ISS-101', text: 'reuse', idempotency_key: key });
        expect(reused.isError).toBe(true);
        expect(resultText(reused)).toMatch(/already used for issues\.create_issue/);
      });
    });
  });
}

await forEachBackend('issues server', ({ label, open }) => issuesContract(label, () => open('issues')));

describe('issues server: two processes on one SQLite file', () => {
  it('never hand out the same id when both create at once', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'deckhand-issues-race-')), 'deckhand.db');
    const first = await stdioHarness('issues', { dbFile });
    const second = await stdioHarness('issues', { dbFile });
    try {
      const results = await Promise.all(
        [first, second].flatMap((harness, process) =>
          [1, 2, 3, 4].map((index) => harness.call('create_issue', { title: `race ${process}-${index}` })),
        ),
      );
      const ids = results.map((result) => structured<Created>(result).id);
      expect(new Set(ids).size).toBe(8);
      expect(await first.count('issues', {})).toBe(3 + 8);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

