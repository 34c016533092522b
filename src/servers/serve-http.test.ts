import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, LoggingMessageNotification } from '@modelcontextprotocol/client';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/schema.js';
import { type BuiltinHttpServer, MAX_REQUEST_BODY_BYTES, serveBuiltinHttp } from './serve-http.js';

const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-http-'));
const dbFile = join(dataDir, 'deckhand.db');

/** One call per server that only reads (email has no read tool: its call queues an email in the temp store). */
const CALLS: Record<BuiltinServerName, { tool: string; args: Record<string, unknown>; says: string }> = {
  crm: { tool: 'getCustomerEmail', args: { order_id: 'XYZ-789' }, says: 'Lisa Park' },
  orders: { tool: 'get_order', args: { order_id: 'XYZ-789' }, says: 'XYZ-789' },
  notes: { tool: 'get_notes', args: { entity: 'customer:C-1001' }, says: 'VIP since 2024' },
  email: {
    tool: 'sendShippingConfirmation',
    args: { email: 'lisa.park@example.com', order_details: 'XYZ-789' },
    says: 'XYZ-789',
  },
  issues: { tool: 'get_issue', args: { issue_id: 'ISS-101' }, says: 'emerald' },
};

/** A resource, a prompt and what each must mention, per server. */
const EXTRAS: Record<
  BuiltinServerName,
  { resource: string; prompt: string; promptArgs: Record<string, string>; says: string }
> = {
  crm: {
    resource: 'crm://customers/C-1001',
    prompt: 'customer_summary',
    promptArgs: { customer_id: 'C-1001' },
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

const servers = new Map<BuiltinServerName, BuiltinHttpServer>();
const clients: Client[] = [];

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'serve-http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

const urlOf = (name: BuiltinServerName): string => servers.get(name)!.url;
const text = (result: CallToolResult) =>
  result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');

beforeAll(async () => {
  // One after another: the first opens, migrates and seeds the shared SQLite file.
  for (const name of BUILTIN_SERVER_NAMES) servers.set(name, await serveBuiltinHttp({ name, dbFile, port: 0 }));
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await Promise.allSettled([...servers.values()].map((server) => server.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(BUILTIN_SERVER_NAMES.map((name) => [name]))('serveBuiltinHttp: %s', (name) => {
  it('binds 127.0.0.1 on a free port and serves /mcp', () => {
    expect(urlOf(name)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it('lists its tools and answers a tool call over a session', async () => {
    const { client, transport } = await connect(urlOf(name));
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain(CALLS[name].tool);
    const result = (await client.callTool({ name: CALLS[name].tool, arguments: CALLS[name].args })) as CallToolResult;
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toContain(CALLS[name].says);
  });

  it('declares logging, resources and prompts, and serves one of each', async () => {
    const { client } = await connect(urlOf(name));
    expect(client.getServerCapabilities()).toMatchObject({ logging: {}, resources: {}, prompts: {} });
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) expect(resource.description).toBeTruthy();
    const read = await client.readResource({ uri: EXTRAS[name].resource });
    expect(read.contents[0]).toMatchObject({ uri: EXTRAS[name].resource, mimeType: 'application/json' });
    expect(JSON.stringify(read.contents)).toContain(EXTRAS[name].says);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual([EXTRAS[name].prompt]);
    const prompt = await client.getPrompt({ name: EXTRAS[name].prompt, arguments: EXTRAS[name].promptArgs });
    expect(JSON.stringify(prompt.messages)).toContain(EXTRAS[name].says);
  });
});

describe('resources of unknown ids', () => {
  it('a template read of a missing id is a resource-not-found error naming the list resource', async () => {
    const { client } = await connect(urlOf('crm'));
    await expect(client.readResource({ uri: 'crm://customers/C-9999' })).rejects.toThrow(
      /No customer C-9999.*crm:\/\/customers/,
    );
  });

  it('a prompt for a missing id is an invalid-params error', async () => {
    const { client } = await connect(urlOf('orders'));
    await expect(client.getPrompt({ name: 'order_status_update', arguments: { order_id: 'NOPE-1' } })).rejects.toThrow(
      /No order NOPE-1/,
    );
  });
});

describe('logging', () => {
  it('sends one info line per tool call once the client set a level, and none before', async () => {
    const { client } = await connect(urlOf('crm'));
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

/** Posts an initialize request with the given extra headers. */
function initialize(url: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body:
      body ??
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fetch', version: '1' } },
      }),
  });
}

/** The status of an initialize POST sent with node:http, which (unlike fetch) lets a test choose the Host header. */
function initializeWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      },
      (incoming) => {
        incoming.resume();
        resolve(incoming.statusCode ?? 0);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'http', version: '1' } },
      }),
    );
  });
}

describe('DNS-rebinding protection', () => {
  it('rejects a foreign Host with 403', async () => {
    expect(await initializeWithHost(urlOf('crm'), 'evil.example.com')).toBe(403);
    expect(await initializeWithHost(urlOf('crm'), `evil.example.com:${new URL(urlOf('crm')).port}`)).toBe(403);
  });

  it('rejects a foreign Origin with 403, even with a good Host', async () => {
    const response = await initialize(urlOf('crm'), { origin: 'http://evil.example.com' });
    expect(response.status).toBe(403);
    await response.body?.cancel();
  });

  it('accepts its own host and a localhost Origin', async () => {
    const url = new URL(urlOf('crm'));
    expect(await initializeWithHost(url.href, url.host)).toBe(200);
    expect(await initializeWithHost(url.href, `localhost:${url.port}`)).toBe(200);
    const response = await initialize(url.href, { origin: `http://localhost:${url.port}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeTruthy();
    await response.body?.cancel();
  });
});

describe('request limits and sessions', () => {
  it(`answers a body over ${MAX_REQUEST_BODY_BYTES} bytes with 413`, async () => {
    const response = await initialize(
      urlOf('crm'),
      {},
      JSON.stringify({ padding: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }),
    );
    expect(response.status).toBe(413);
    await response.body?.cancel();
  });

  it('answers a session ended by DELETE with 404', async () => {
    const { client, transport } = await connect(urlOf('crm'));
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const response = await fetch(urlOf('crm'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
    await response.body?.cancel();
    await client.close();
  });

  it('answers a request without a session that is not initialize with 400, and other paths with 404', async () => {
    const noSession = await initialize(
      urlOf('crm'),
      {},
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    expect(noSession.status).toBe(400);
    const elsewhere = await fetch(urlOf('crm').replace('/mcp', '/other'));
    expect(elsewhere.status).toBe(404);
    await Promise.all([noSession.body?.cancel(), elsewhere.body?.cancel()]);
  });
});
