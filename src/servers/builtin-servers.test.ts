import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinServerEntry } from '../shared/package-info.js';

const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-servers-'));
const dbFile = join(dataDir, 'deckhand.db');

/** Spawns the bundled server entry as a real child process, exactly as the host does. */
async function connect(name: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [builtinServerEntry(), name], env: { DECKHAND_DB: dbFile }, stderr: 'pipe' }),
  );
  return client;
}

const text = (result: CallToolResult) => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
const outbox = () => {
  const db = new DatabaseSync(dbFile, { readOnly: true, timeout: 10_000 });
  try {
    return db.prepare('select to_address, subject, body, status, delivery_note, order_id from emails order by created_at').all() as Array<
      Record<string, string>
    >;
  } finally {
    db.close();
  }
};

let crm: Client;
let email: Client;
beforeAll(async () => {
  crm = await connect('crm');
  email = await connect('email');
});
afterAll(async () => {
  await crm?.close();
  await email?.close();
});

describe('crm server', () => {
  it('lists getCustomerEmail as a read-only tool with input and output schemas', async () => {
    const { tools } = await crm.listTools();
    const tool = tools.find((candidate) => candidate.name === 'getCustomerEmail');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true });
    expect(tool?.inputSchema).toMatchObject({ required: ['order_id'] });
    expect(tool?.outputSchema).toBeDefined();
  });

  it('getCustomerEmail returns the customer of order XYZ-789', async () => {
    const result = (await crm.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      order_id: 'XYZ-789',
      customer_id: 'C-1001',
      customer_name: 'Lisa Park',
      email: 'lisa.park@example.com',
    });
    expect(text(result)).toContain('lisa.park@example.com');
  });

  it('answers an unknown order with a tool error that suggests real ids', async () => {
    const result = (await crm.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-000' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/No order XYZ-000\. Did you mean XYZ-\d{3}(, XYZ-\d{3}){2}\?/);
  });

  it('rejects arguments that fail the schema as a tool error, not a crash', async () => {
    const result = (await crm.callTool({ name: 'getCustomerEmail', arguments: { order: 42 } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/order_id/);
    const again = (await crm.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } })) as CallToolResult;
    expect(again.isError).toBeFalsy();
  });
});

describe('email server', () => {
  it('sendShippingConfirmation stores the email in the outbox, enriched from the order', async () => {
    const before = outbox().length;
    const result = (await email.callTool({
      name: 'sendShippingConfirmation',
      arguments: { email: 'lisa.park@example.com', order_details: 'Order XYZ-789' },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ to: 'lisa.park@example.com', status: 'queued', delivered: false, duplicate: false });
    const rows = outbox();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ to_address: 'lisa.park@example.com', subject: 'Your order XYZ-789 has shipped', order_id: 'XYZ-789', status: 'queued' });
    expect(rows.at(-1)?.body).toContain('1Z999AA10123456784');
    expect(rows.at(-1)?.delivery_note).toMatch(/SMTP_URL/);
  });

  it('sends once per idempotency key', async () => {
    const before = outbox().length;
    const call = () =>
      email.callTool({
        name: 'sendShippingConfirmation',
        arguments: { email: 'lisa.park@example.com', order_details: 'XYZ-789', idempotency_key: 'run-1:call-7' },
      }) as Promise<CallToolResult>;
    const first = await call();
    const second = await call();
    expect(outbox()).toHaveLength(before + 1);
    expect(second.structuredContent).toMatchObject({ duplicate: true, email_id: (first.structuredContent as { email_id: string }).email_id });
  });

  it('refuses a malformed address or an unknown order and sends nothing', async () => {
    const before = outbox().length;
    const badAddress = (await email.callTool({
      name: 'sendShippingConfirmation',
      arguments: { email: 'not-an-email', order_details: 'XYZ-789' },
    })) as CallToolResult;
    expect(badAddress.isError).toBe(true);
    const unknownOrder = (await email.callTool({
      name: 'sendShippingConfirmation',
      arguments: { email: 'lisa.park@example.com', order_details: 'Order XYZ-000 shipped' },
    })) as CallToolResult;
    expect(unknownOrder.isError).toBe(true);
    expect(text(unknownOrder)).toMatch(/No order XYZ-000/);
    expect(outbox()).toHaveLength(before);
  });
});

describe('several servers on a fresh data dir', () => {
  it('start at once: one migrates and seeds, the others wait for it instead of failing', async () => {
    const freshDb = join(mkdtempSync(join(tmpdir(), 'deckhand-race-')), 'deckhand.db');
    const clients = await Promise.all(
      ['crm', 'email', 'crm', 'email'].map(async (name) => {
        const client = new Client({ name: 'test', version: '1.0.0' });
        await client.connect(
          new StdioClientTransport({ command: process.execPath, args: [builtinServerEntry(), name], env: { DECKHAND_DB: freshDb }, stderr: 'pipe' }),
        );
        return client;
      }),
    );
    try {
      const result = (await clients[0]!.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ email: 'lisa.park@example.com' });
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
