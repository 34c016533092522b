import type { LoggingMessageNotification, ReadResourceResult } from '@modelcontextprotocol/client';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/schema.js';
import { type OpenDatabase, openDatabase } from '../shared/database/open-database.js';
import { migrateServerData, seedServerData } from './data.js';
import type { BuiltinDatabase } from './database.js';
import { createBuiltinServer } from './serve-stdio.js';
import { logToolCalls } from './shared/tool-call-logging.js';

/** Per server: a resource and a prompt (with arguments), and what each must mention from the demo data. */
const EXTRAS: Record<
  Exclude<BuiltinServerName, 'devops'>,
  { resource: string; prompt: string; promptArgs: Record<string, string>; says: string }
> = {
  crm: {
    resource: 'crm://customers/C-1001',
    prompt: 'customer_summary',
    promptArgs: { customer_id: 'c-1001' },
    says: 'Lisa Park',
  },
  orders: {
    resource: 'orders://orders/XYZ-789',
    prompt: 'order_status_update',
    promptArgs: { order_id: 'XYZ-789' },
    says: '1Z999AA10123456784',
  },
  notes: {
    resource: 'notes://customer/C-1001',
    prompt: 'summarize_notes',
    promptArgs: { entity_type: 'customer', entity_id: 'C-1001' },
    says: 'VIP since 2024',
  },
  email: {
    resource: 'email://emails/EM-0001',
    prompt: 'draft_customer_email',
    promptArgs: { order_id: 'XYZ-790', purpose: 'gift wrap confirmation' },
    says: 'XYZ-790',
  },
  issues: {
    resource: 'issues://issues/ISS-101',
    prompt: 'triage_issue',
    promptArgs: { issue_id: 'ISS-101' },
    says: 'PND-EMR-01',
  },
};

/** The text of a resource read's first contents ('' for a blob). */
const textOf = (result: ReadResourceResult): string => {
  const first = result.contents[0];
  return first && 'text' in first ? first.text : '';
};

let store: OpenDatabase<BuiltinDatabase>;
const clients: Client[] = [];

/** Built-in server `name` as the serving entries build it, on the in-memory store, with tool-call logging. */
async function connect(name: BuiltinServerName): Promise<Client> {
  const server = createBuiltinServer(name, store.db);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  logToolCalls({ server, transport: serverTransport, logger: name });
  const client = new Client({ name: 'resources-test', version: '1.0.0' });
  await client.connect(clientTransport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  // Every built-in server's data, as the host prepares it.
  store = await openDatabase<BuiltinDatabase>({ file: ':memory:', prepare: [migrateServerData, seedServerData] });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await store?.close();
});

// The devops server's resources and prompts read its own tables and a git repository, not the demo data: they are
// tested in devops/devops-server.test.ts.
const DEMO_SERVERS = BUILTIN_SERVER_NAMES.filter((name): name is Exclude<BuiltinServerName, 'devops'> => name !== 'devops');

describe.each(DEMO_SERVERS.map((name) => [name]))('registerServerExtras: %s', (name) => {
  it('declares logging, resources and prompts, and serves a resource and a prompt from the store', async () => {
    const client = await connect(name);
    expect(client.getServerCapabilities()).toMatchObject({ logging: {}, resources: {}, prompts: {} });
    const [{ resources }, { resourceTemplates }] = await Promise.all([
      client.listResources(),
      client.listResourceTemplates(),
    ]);
    expect(resources.length).toBeGreaterThan(0);
    expect(resourceTemplates.length).toBeGreaterThan(0);
    for (const entry of [...resources, ...resourceTemplates])
      expect(entry).toMatchObject({ description: expect.any(String), mimeType: 'application/json' });
    for (const { uri } of resources) expect(JSON.parse(textOf(await client.readResource({ uri })))).toBeDefined();

    const read = await client.readResource({ uri: EXTRAS[name].resource });
    expect(read.contents[0]).toMatchObject({ uri: EXTRAS[name].resource, mimeType: 'application/json' });
    expect(textOf(read)).toContain(EXTRAS[name].says);

    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual([EXTRAS[name].prompt]);
    const prompt = await client.getPrompt({ name: EXTRAS[name].prompt, arguments: EXTRAS[name].promptArgs });
    expect(prompt.messages.map((message) => message.content.type)).toEqual(['resource', 'text']);
    expect(JSON.stringify(prompt.messages)).toContain(EXTRAS[name].says);
  });
});

describe('orders://orders/{order_id}', () => {
  // Invariant: the order resource and get_order give one order in one shape (the order store's), not two.
  it('reads exactly what get_order returns', async () => {
    const client = await connect('orders');
    const resource = JSON.parse(textOf(await client.readResource({ uri: 'orders://orders/XYZ-789' })));
    const tool = await client.callTool({ name: 'get_order', arguments: { order_id: 'XYZ-789' } });
    expect(resource).toEqual(tool.structuredContent);
    expect(resource).toMatchObject({ order_id: 'XYZ-789', customer: { name: 'Lisa Park' } });
  });
});

describe('unknown ids', () => {
  it('a template read of a missing id is resource-not-found, naming where the ids are', async () => {
    const client = await connect('crm');
    await expect(client.readResource({ uri: 'crm://customers/C-9999' })).rejects.toThrow(
      /No customer C-9999.*crm:\/\/customers/,
    );
  });

  it('a prompt for a missing id is invalid params', async () => {
    const client = await connect('orders');
    await expect(client.getPrompt({ name: 'order_status_update', arguments: { order_id: 'NOPE-1' } })).rejects.toThrow(
      /No order NOPE-1/,
    );
  });

  it('notes on an unknown entity type are resource-not-found', async () => {
    const client = await connect('notes');
    await expect(client.readResource({ uri: 'notes://planet/MARS' })).rejects.toThrow(/entity type 'planet'/);
  });
});

describe('logToolCalls', () => {
  it('sends one info line per tool call once the client set info or lower, and none otherwise', async () => {
    const client = await connect('crm');
    const lines: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler('notifications/message', (notification) => {
      lines.push(notification.params);
    });
    await client.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } });
    expect(lines).toEqual([]);
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'NOPE-1' } });
    expect(lines).toEqual([
      {
        level: 'info',
        logger: 'crm',
        data: { tool: 'getCustomerEmail', isError: true, durationMs: expect.any(Number) },
      },
    ]);
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'getCustomerEmail', arguments: { order_id: 'XYZ-789' } });
    expect(lines).toHaveLength(1);
  });
});
