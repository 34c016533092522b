import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinServerEntry } from '../../shared/package-info.js';
import { SMTP_FAILED_PREFIX } from './outbox.js';
import type { EmailResult } from './schemas.js';
import { type EmailHarness, forEachBackend, freshDbFile, resultText, structured, withOutbox } from './testing/email-harness.js';
import { closedSmtpUrl, type SmtpSink, startSmtpSink } from './testing/smtp-sink.js';

/** Delivery through a real local SMTP server, on every store. `open` gets the sink's URL. */
function deliveryContract(
  name: string,
  open: (smtpUrl: string) => Promise<EmailHarness>,
  from: { envelope: string; header: RegExp },
): void {
  describe(`SMTP delivery: ${name}`, () => {
    let sink: SmtpSink;
    let email: EmailHarness;
    const unique = randomUUID().slice(0, 8);
    beforeAll(async () => {
      sink = await startSmtpSink();
      email = await open(sink.url);
    });
    afterAll(async () => {
      await email?.close();
      await sink?.close();
    });

    it('send_email delivers the message and marks the row sent', async () => {
      const result = await email.call('send_email', {
        to: 'lisa.park@example.com',
        subject: `Your ring ${unique}`,
        body: 'Hi Lisa,\n\nYour ring is on its way — café crème.\n',
      });
      const sent = structured<EmailResult>(result);
      expect(sent).toMatchObject({
        to: 'lisa.park@example.com',
        status: 'sent',
        delivered: true,
        note: null,
        duplicate: false,
      });
      expect(resultText(result)).toBe(
        `email ${sent.email_id} to lisa.park@example.com — "Your ring ${unique}" (delivered)`,
      );
      const message = sink.messages.find((candidate) => candidate.headers.get('x-deckhand-email-id') === sent.email_id);
      expect(message).toBeDefined();
      expect(message?.to).toEqual(['lisa.park@example.com']);
      expect(message?.from).toBe(from.envelope);
      expect(message?.headers.get('from')).toMatch(from.header);
      expect(message?.headers.get('subject')).toBe(`Your ring ${unique}`);
      expect(message?.text).toContain('Your ring is on its way — café crème.');
      expect(await email.email(sent.email_id)).toMatchObject({ status: 'sent', delivery_note: null });
    });

    it('sendShippingConfirmation delivers the confirmation with the tracking number', async () => {
      const result = structured<EmailResult>(
        await email.call('sendShippingConfirmation', {
          email: 'lisa.park@example.com',
          order_details: 'Order XYZ-789',
        }),
      );
      expect(result).toMatchObject({ status: 'sent', delivered: true, subject: 'Your order XYZ-789 has shipped' });
      const message = sink.messages.find(
        (candidate) => candidate.headers.get('x-deckhand-email-id') === result.email_id,
      );
      expect(message?.to).toEqual(['lisa.park@example.com']);
      expect(message?.headers.get('subject')).toBe('Your order XYZ-789 has shipped');
      expect(message?.text).toContain('1 × 14k gold solitaire ring, size 7');
      expect(message?.text).toContain('Tracking number: 1Z999AA10123456784');
      expect(await email.email(result.email_id)).toMatchObject({ status: 'sent', kind: 'shipping-confirmation' });
    });

    it('sends one SMTP message per idempotency key, and a repeat returns the first result with the current status', async () => {
      const key = `ship-${unique}`;
      const args = {
        email: 'marcus.chen@example.com',
        order_details: 'XYZ-790 left the warehouse',
        idempotency_key: key,
      };
      const before = sink.messages.length;
      const first = structured<EmailResult>(await email.call('sendShippingConfirmation', args));
      const second = structured<EmailResult>(await email.call('sendShippingConfirmation', args));
      expect(first).toMatchObject({ status: 'sent', duplicate: false });
      expect(second).toEqual({ ...first, duplicate: true });
      expect(sink.messages.length).toBe(before + 1);
      expect(
        sink.messages.filter((message) => message.headers.get('x-deckhand-email-id') === first.email_id),
      ).toHaveLength(1);
      expect(await email.keyCount(key)).toBe(1);
    });
  });
}

/** Delivery to a port where nothing listens: the row is kept as failed and the tool says so. */
function failureContract(name: string, open: (smtpUrl: string) => Promise<EmailHarness>): void {
  describe(`SMTP down: ${name}`, () => {
    let email: EmailHarness;
    beforeAll(async () => {
      email = await open(await closedSmtpUrl());
    });
    afterAll(async () => {
      await email?.close();
    });

    it('keeps the email as failed with the SMTP error and answers with an isError result naming the email', async () => {
      const key = `down-${randomUUID().slice(0, 8)}`;
      const args = { to: 'lisa.park@example.com', subject: 'Will not arrive', body: 'Hello', idempotency_key: key };
      const result = await email.call('send_email', args);
      expect(result.isError).toBe(true);
      const failed = result.structuredContent as EmailResult;
      expect(failed).toMatchObject({
        status: 'failed',
        delivered: false,
        duplicate: false,
        to: 'lisa.park@example.com',
      });
      expect(failed.note).toMatch(/^SMTP delivery failed: .*ECONNREFUSED/);
      expect(resultText(result)).toMatch(
        new RegExp(
          `^email ${failed.email_id} to lisa\\.park@example\\.com was stored in the outbox but not delivered \\(SMTP delivery failed: .*\\)\\. It is marked failed\\.`,
        ),
      );
      expect(resultText(result)).toContain(`get_email ${failed.email_id}`);
      const row = await email.email(failed.email_id);
      expect(row?.status).toBe('failed');
      expect(row?.delivery_note?.startsWith(SMTP_FAILED_PREFIX)).toBe(true);

      const before = await email.emailCount();
      const again = await email.call('send_email', args);
      expect(again.isError).toBe(true);
      expect(again.structuredContent).toEqual({ ...failed, duplicate: true });
      expect(await email.emailCount()).toBe(before);
      expect(resultText(await email.call('list_emails', { status: 'failed' }))).toContain(failed.email_id);
    });
  });
}

await forEachBackend('SMTP delivery', ({ label, open }) => {
  const openWith = (env: Record<string, string>) => async () => withOutbox(await open('email', { env }));
  deliveryContract(
    `${label}, SMTP_URL and SMTP_FROM from the environment`,
    (smtpUrl) => openWith({ SMTP_URL: smtpUrl, SMTP_FROM: 'Gem Shop <orders@gemshop.example>' })(),
    { envelope: 'orders@gemshop.example', header: /^"?Gem Shop"? <orders@gemshop\.example>$/ },
  );
  deliveryContract(`${label}, default sender`, (smtpUrl) => openWith({ SMTP_URL: smtpUrl })(), {
    envelope: 'deckhand@localhost',
    header: /^"?Deckhand"? <deckhand@localhost>$/,
  });
  failureContract(label, (smtpUrl) => openWith({ SMTP_URL: smtpUrl })());
});

describe('SMTP settings at start', () => {
  it('a malformed SMTP_URL stops the email server with one line on stderr, before the store is opened', () => {
    const dbFile = freshDbFile();
    const run = spawnSync(process.execPath, [builtinServerEntry(), 'email'], {
      env: { DECKHAND_DB: dbFile, SMTP_URL: 'http://user:s3cret@mail.example.com' },
      input: '',
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'deckhand email server: SMTP_URL must start with smtp:// or smtps:// (got http://); ' +
        'expected smtp://[user:password@]host[:port] or smtps://…, e.g. smtp://127.0.0.1:2525.\n',
    );
    expect(existsSync(dbFile)).toBe(false);
  });
});
