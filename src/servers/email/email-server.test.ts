import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_DELIVERED_NOTE } from './outbox.js';
import type { EmailDetail, EmailResult, EmailSummary } from './schemas.js';
import { type EmailHarness, forEachBackend, resultText, structured, withOutbox } from './testing/email-harness.js';

interface EmailPage {
  emails: EmailSummary[];
  next_cursor: string | null;
}

const ids = (page: EmailPage) => page.emails.map((email) => email.id);

/** Every page of `tool` with `args`, following next_cursor to the end. */
async function walk(email: EmailHarness, tool: string, args: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = structured<EmailPage>(await email.call(tool, { ...args, ...(cursor ? { cursor } : {}) }));
    seen.push(...ids(page));
    cursor = page.next_cursor ?? undefined;
    if (!cursor) break;
  }
  return seen;
}

/** The outbox behaviour without SMTP on every store: SQLite through the real stdio server, PostgreSQL in-process. */
function emailContract(name: string, open: () => Promise<EmailHarness>): void {
  describe(`email server: ${name}`, () => {
    let email: EmailHarness;
    const unique = randomUUID().slice(0, 8);
    beforeAll(async () => {
      email = await open();
    });
    afterAll(async () => {
      await email?.close();
    });

    describe('tools/list', () => {
      it('offers the outbox reads as read-only and both senders as open-world side effects', async () => {
        const { tools } = await email.client.listTools();
        const byName = new Map(tools.map((tool) => [tool.name, tool]));
        expect([...byName.keys()].sort()).toEqual([
          'get_email',
          'list_emails',
          'search_emails',
          'sendShippingConfirmation',
          'send_email',
        ]);
        for (const read of ['get_email', 'list_emails', 'search_emails']) {
          expect(byName.get(read)?.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
        }
        for (const sender of ['send_email', 'sendShippingConfirmation']) {
          expect(byName.get(sender)?.annotations).toMatchObject({
            readOnlyHint: false,
            destructiveHint: false,
            idempotentHint: false,
            openWorldHint: true,
          });
          expect(byName.get(sender)?.outputSchema).toBeDefined();
        }
        expect(byName.get('send_email')?.inputSchema).toMatchObject({ required: ['to', 'subject', 'body'] });
        expect(byName.get('sendShippingConfirmation')?.inputSchema).toMatchObject({
          required: ['email', 'order_details'],
        });
      });
    });

    describe('send_email', () => {
      it('stores the email as queued and says it was not delivered', async () => {
        const before = await email.emailCount();
        const result = await email.call('send_email', {
          to: 'lisa.park@example.com',
          subject: 'About your ring',
          body: 'Hi Lisa,\n\nIt is on its way.\n',
        });
        const sent = structured<EmailResult>(result);
        expect(sent).toEqual({
          email_id: expect.stringMatching(/^EM-[0-9a-f]{8}$/),
          to: 'lisa.park@example.com',
          subject: 'About your ring',
          status: 'queued',
          delivered: false,
          note: NOT_DELIVERED_NOTE,
          duplicate: false,
        });
        expect(resultText(result)).toBe(
          `email ${sent.email_id} to lisa.park@example.com — "About your ring" (queued, ${NOT_DELIVERED_NOTE})`,
        );
        expect(await email.emailCount()).toBe(before + 1);
        expect(await email.email(sent.email_id)).toMatchObject({
          kind: 'message',
          order_id: null,
          status: 'queued',
          body: 'Hi Lisa,\n\nIt is on its way.',
        });
      });

      it('stores once per idempotency key and returns the first result', async () => {
        const key = `greet-${unique}`;
        const args = {
          to: 'marcus.chen@example.com',
          subject: `Hello ${unique}`,
          body: 'Hi Marcus',
          idempotency_key: key,
        };
        const before = await email.emailCount();
        const first = structured<EmailResult>(await email.call('send_email', args));
        const second = await email.call('send_email', args);
        expect(structured<EmailResult>(second)).toEqual({ ...first, duplicate: true });
        expect(resultText(second)).toMatch(/^Already sent \(same idempotency key\): email /);
        expect(await email.emailCount()).toBe(before + 1);
        expect(await email.keyCount(key)).toBe(1);
        expect((await email.email(first.email_id))?.idempotency_key).toBe(key);

        const changed = await email.call('send_email', { ...args, subject: 'Something else' });
        expect(changed.isError).toBe(true);
        expect(resultText(changed)).toBe(
          `idempotency_key '${key}' was already used for a different email (${first.email_id}); nothing was sent. Use a new key for this email.`,
        );
        const otherTool = await email.call('sendShippingConfirmation', {
          email: 'marcus.chen@example.com',
          order_details: 'XYZ-790',
          idempotency_key: key,
        });
        expect(resultText(otherTool)).toMatch(
          /already used for send_email; use a new key for sendShippingConfirmation/,
        );
        expect(await email.emailCount()).toBe(before + 1);
      });

      it('rejects a bad recipient, subject or body and stores nothing', async () => {
        const before = await email.emailCount();
        const valid = { to: 'lisa.park@example.com', subject: 'Hi', body: 'Hello' };
        const cases: Array<[Record<string, unknown>, RegExp]> = [
          [{ to: 'not-an-email' }, /to[\s\S]*must be one email address/],
          [{ to: 'a@example.com, b@example.com' }, /to/],
          [{ subject: '' }, /subject/],
          [{ subject: 'x'.repeat(201) }, /subject/],
          [{ subject: 'Hi\r\nBcc: everyone@example.com' }, /subject[\s\S]*single line/],
          [{ body: '' }, /body/],
          [{ body: 'x'.repeat(20_001) }, /body/],
          [{ idempotency_key: 'k'.repeat(201) }, /idempotency_key/],
        ];
        for (const [change, message] of cases) {
          const result = await email.call('send_email', { ...valid, ...change });
          expect(result.isError, JSON.stringify(change).slice(0, 80)).toBe(true);
          expect(resultText(result)).toMatch(message);
        }
        expect(await email.emailCount()).toBe(before);
      });
    });

    describe('sendShippingConfirmation', () => {
      it('still stores the confirmation, enriched from the order', async () => {
        const result = structured<EmailResult>(
          await email.call('sendShippingConfirmation', {
            email: 'lisa.park@example.com',
            order_details: 'Order XYZ-789',
          }),
        );
        expect(result).toMatchObject({
          subject: 'Your order XYZ-789 has shipped',
          status: 'queued',
          delivered: false,
          duplicate: false,
        });
        const row = await email.email(result.email_id);
        expect(row).toMatchObject({ kind: 'shipping-confirmation', order_id: 'XYZ-789' });
        expect(row?.body).toContain('Tracking number: 1Z999AA10123456784');
      });
    });

    describe('list_emails', () => {
      it('walks the outbox newest first, page by page, with no duplicates or gaps', async () => {
        const all = structured<EmailPage>(await email.call('list_emails', { limit: 100 }));
        expect(all.emails.length).toBeGreaterThanOrEqual(5);
        const times = all.emails.map((row) => row.created_at);
        expect(times).toEqual([...times].sort().reverse());
        for (const limit of [1, 2, 3]) expect(await walk(email, 'list_emails', { limit })).toEqual(ids(all));
      });

      it('filters by status, recipient (any case) and order', async () => {
        const sent = structured<EmailPage>(await email.call('list_emails', { status: 'sent' }));
        expect(ids(sent)).toEqual(['EM-0001', 'EM-0002']);
        expect(sent.emails[0]).toMatchObject({
          to: 'marcus.chen@example.com',
          kind: 'order-confirmation',
          order_id: 'XYZ-790',
          delivery_note: null,
        });
        expect(sent.emails[0]?.preview).toBe(
          'Hi Marcus, Thank you for your order XYZ-790. We will email you again when it ships.',
        );
        expect(ids(structured<EmailPage>(await email.call('list_emails', { to: 'PRIYA.Raman@example.com' })))).toEqual([
          'EM-0002',
        ]);
        expect(
          ids(structured<EmailPage>(await email.call('list_emails', { order_id: 'xyz-790', status: 'sent' }))),
        ).toEqual(['EM-0001']);
        const queued = structured<EmailPage>(
          await email.call('list_emails', { status: 'queued', to: 'lisa.park@example.com' }),
        );
        expect(queued.emails.length).toBeGreaterThanOrEqual(2);
        expect(queued.emails.every((row) => row.status === 'queued' && row.to === 'lisa.park@example.com')).toBe(true);
      });

      it('suggests known addresses for an unknown recipient, and real ids for an unknown order', async () => {
        const typo = await email.call('list_emails', { to: 'marcus.chen@exmaple.com' });
        expect(structured<EmailPage>(typo).emails).toEqual([]);
        expect(resultText(typo)).toMatch(
          /^No emails to marcus\.chen@exmaple\.com\. Did you mean marcus\.chen@example\.com/,
        );
        const order = await email.call('list_emails', { order_id: 'XYZ-78' });
        expect(order.isError).toBe(true);
        expect(resultText(order)).toMatch(/^No order XYZ-78\. Did you mean XYZ-789/);
      });

      it('rejects a tampered cursor, an unknown status and an out-of-range limit', async () => {
        expect(resultText(await email.call('list_emails', { cursor: 'bm90IGpzb24' }))).toMatch(/cursor is not valid/);
        for (const args of [{ status: 'bounced' }, { limit: 0 }, { limit: 101 }, { to: 'x'.repeat(255) }]) {
          expect((await email.call('list_emails', args)).isError).toBe(true);
        }
      });
    });

    describe('search_emails', () => {
      it('matches subject, body and recipient, partially and case-insensitively', async () => {
        expect(ids(structured<EmailPage>(await email.call('search_emails', { query: 'received your ORDER' })))).toEqual(
          ['EM-0001'],
        );
        expect(
          ids(structured<EmailPage>(await email.call('search_emails', { query: '9400111202555842761234' }))),
        ).toEqual(['EM-0002']);
        expect(ids(structured<EmailPage>(await email.call('search_emails', { query: 'PRIYA.RAM' })))).toEqual([
          'EM-0002',
        ]);
        const both = structured<EmailPage & { query: string }>(await email.call('search_emails', { query: 'xyz-79' }));
        expect(ids(both).slice(-2)).toEqual(['EM-0001', 'EM-0002']);
      });

      it('treats % and _ in the query as literal characters', async () => {
        const subject = `Save 100% off_today ${unique}`;
        const sent = structured<EmailResult>(
          await email.call('send_email', { to: 'grace.kim@example.com', subject, body: 'Hi Grace' }),
        );
        expect(
          ids(structured<EmailPage>(await email.call('search_emails', { query: `0% off_today ${unique}` }))),
        ).toEqual([sent.email_id]);
        for (const query of [`0_ off%today ${unique}`, '%%', '__']) {
          const page = await email.call('search_emails', { query });
          expect(ids(structured<EmailPage>(page))).toEqual([]);
          expect(resultText(page)).toMatch(/^No email's subject, body or recipient contains/);
        }
      });

      it('pages through every match without duplicates or gaps, and rejects a query out of 2..200', async () => {
        const all = structured<EmailPage>(await email.call('search_emails', { query: '@example.com', limit: 100 }));
        expect(await walk(email, 'search_emails', { query: '@example.com', limit: 2 })).toEqual(ids(all));
        for (const query of ['x', ' x ', 'x'.repeat(201)])
          expect((await email.call('search_emails', { query })).isError).toBe(true);
      });
    });

    describe('get_email', () => {
      it('shows one email in full, by id in any case', async () => {
        const result = await email.call('get_email', { email_id: 'em-0002' });
        expect(structured<EmailDetail>(result)).toMatchObject({
          id: 'EM-0002',
          to: 'priya.raman@example.com',
          status: 'sent',
          body: 'Hi Priya,\n\nGood news — your order XYZ-791 has shipped with USPS (9400111202555842761234).\n',
        });
        expect(resultText(result)).toMatch(
          /^EM-0002 sent to priya\.raman@example\.com, 2026-11-04T13:05:00\.000Z\nSubject: Your order XYZ-791 has shipped\n\nHi Priya/,
        );
      });

      it('answers an unknown id with the closest ids', async () => {
        const result = await email.call('get_email', { email_id: 'EM-0003' });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/^No email EM-0003\. Did you mean EM-000[12], EM-000[12]/);
      });
    });
  });
}

await forEachBackend('email server', ({ label, open }) => emailContract(label, async () => withOutbox(await open('email'))));
