import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

function outbox(home: string): Array<{ to_address: string; subject: string; order_id: string | null }> {
  const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
  try {
    return db.prepare("select to_address, subject, order_id from emails where kind = 'shipping-confirmation' and id not like 'EM-000%'").all() as Array<{
      to_address: string;
      subject: string;
      order_id: string | null;
    }>;
  } finally {
    db.close();
  }
}

const toolCalls = (events: Array<Record<string, unknown>>) =>
  events.filter((event) => event.type === 'tool-call').map((event) => `${event.server}.${event.tool}`);

describe('deckhand run with the offline planner and the built-in servers', () => {
  it.each([
    'Order XYZ-789 has shipped. Email the customer a shipping confirmation.',
    'Send a shipping confirmation for order XYZ-789',
    'XYZ-789 went out today — let the customer know by email',
    'please notify the customer of order XYZ-789 that it shipped',
    'email a shipping confirmation to the buyer of XYZ-789',
  ])('completes "%s": looks up the email, sends one confirmation to Lisa Park', async (task) => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', task, '--json', '--yes'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(0);
    const events = parseJsonLines(result.stdout);
    expect(toolCalls(events)).toEqual(['crm.getCustomerEmail', 'email.sendShippingConfirmation']);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });
    expect(outbox(home)).toEqual([{ to_address: 'lisa.park@example.com', subject: 'Your order XYZ-789 has shipped', order_id: 'XYZ-789' }]);
  });

  it('prints the settings, each call with a one-line result and duration, the answer and the usage', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.', '--yes'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('offline planner — set OPENAI_API_KEY or --model for full autonomy');
    expect(result.stdout).toContain(`data     ${join(home, 'deckhand.db')}`);
    expect(result.stdout).toMatch(/servers {2}crm ✓ \d+ tools? · .*email ✓/);
    expect(result.stdout).toMatch(/→ crm\.getCustomerEmail \{"order_id":"XYZ-789"\}\n {2}✓ crm\.getCustomerEmail: lisa\.park@example\.com .*\(\d+ ms\)/);
    expect(result.stdout).toMatch(/→ email\.sendShippingConfirmation \{"email":"lisa\.park@example\.com"/);
    expect(result.stdout).toMatch(/usage: 3 steps · 2 tool calls · [\d,]+ input \+ [\d,]+ output tokens · \$0\.00 \(offline\)/);
  });

  it('with no key at all, does a task of two actions: one refund and one email, each approved, zero tokens', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'refund $30 on XYZ-789 and email her that it is done', '--json', '--yes'], { env: cliEnv(home), cwd });
    expect(result.code).toBe(0);
    const events = parseJsonLines(result.stdout);
    expect(toolCalls(events)).toEqual(['orders.refund_order', 'crm.getCustomerEmail', 'email.send_email']);
    expect(events.filter((event) => event.type === 'approval-response').map((event) => event.by)).toEqual(['--yes', '--yes']);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', totals: { inputTokens: 0, outputTokens: 0, costUsd: 0 } });
    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      expect(db.prepare("select order_id, amount_cents from payments where kind = 'refund' and order_id = 'XYZ-789'").all()).toEqual([{ order_id: 'XYZ-789', amount_cents: 3000 }]);
      const sent = db.prepare("select to_address, body from emails where id not like 'EM-000%'").all() as unknown as Array<{ to_address: string; body: string }>;
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ to_address: 'lisa.park@example.com', body: expect.stringContaining('Refunded $30.00 on order XYZ-789') });
    } finally {
      db.close();
    }
  });

  it('an unknown order: the tool error reaches the planner, which explains it and sends nothing', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'Order XYZ-000 has shipped. Email the customer a shipping confirmation.', '--json'], { env: cliEnv(home), cwd });
    const events = parseJsonLines(result.stdout);
    expect(events.find((event) => event.type === 'tool-error')).toMatchObject({ server: 'crm', error: expect.stringContaining('No order XYZ-000') });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', text: expect.stringMatching(/XYZ-000/) });
    expect(outbox(home)).toEqual([]);
  });

  it('a request without an order id gets a clarifying question and no tool call', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', 'Email the customer a shipping confirmation.', '--json'], { env: cliEnv(home), cwd });
    const events = parseJsonLines(result.stdout);
    expect(toolCalls(events)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: expect.stringMatching(/order id/i) });
  });
});

describe('deckhand run on PostgreSQL', async () => {
  const { createScratchDatabase, postgresReachable } = await import('./helpers/postgres.js');
  const reachable = await postgresReachable();
  it.skipIf(!reachable)('runs the shipping task with DATABASE_URL: host and servers share the PostgreSQL store', async () => {
    const scratch = await createScratchDatabase();
    try {
      const { home, cwd } = freshWorkspace();
      const env = cliEnv(home, { DATABASE_URL: scratch.url });
      const result = await runCli(['run', 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.', '--yes'], { env, cwd });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/data {5}postgres:\/\/postgres@127\.0\.0\.1:5432\/deckhand_test_/);
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: scratch.url });
      await client.connect();
      try {
        const emails = await client.query("select to_address from emails where kind = 'shipping-confirmation' and id not like 'EM-000%'");
        expect(emails.rows).toEqual([{ to_address: 'lisa.park@example.com' }]);
        const runs = await client.query('select status from runs');
        expect(runs.rows).toEqual([{ status: 'finished' }]);
      } finally {
        await client.end();
      }
    } finally {
      await scratch.drop();
    }
  });
});
