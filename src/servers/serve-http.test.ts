import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/schema.js';
import { type BuiltinHttpServer, MAX_REQUEST_BODY_BYTES, serveBuiltinHttp } from './serve-http.js';

const dataDir = mkdtempSync(join(tmpdir(), 'deckhand-http-'));
const dbFile = join(dataDir, 'deckhand.db');

/** One read-only call per server (devops has no config here, so it answers what to configure, as a tool error). */
const CALLS: Record<BuiltinServerName, { tool: string; args: Record<string, unknown>; says: string; isError?: true }> = {
  crm: { tool: 'getCustomerEmail', args: { order_id: 'XYZ-789' }, says: 'Lisa Park' },
  orders: { tool: 'get_order', args: { order_id: 'XYZ-789' }, says: 'XYZ-789' },
  notes: { tool: 'get_notes', args: { entity: 'customer:C-1001' }, says: 'VIP since 2024' },
  email: { tool: 'get_email', args: { email_id: 'EM-0001' }, says: 'XYZ-790' },
  issues: { tool: 'get_issue', args: { issue_id: 'ISS-101' }, says: 'emerald' },
  devops: { tool: 'troubleshoot_issue', args: { description: 'API returning 500s' }, says: 'Add a "devops" section', isError: true },
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
    // The extras every serving entry adds (tested in server-extras.test.ts) are there over HTTP too.
    expect(client.getServerCapabilities()).toMatchObject({ logging: {}, resources: {}, prompts: {} });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain(CALLS[name].tool);
    const result = (await client.callTool({ name: CALLS[name].tool, arguments: CALLS[name].args })) as CallToolResult;
    expect(result.isError ?? false, text(result)).toBe(CALLS[name].isError ?? false);
    expect(text(result)).toContain(CALLS[name].says);
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

describe('SSE streams', () => {
  it('opens a GET stream per session (a second concurrent one gets 409) and streams concurrent POSTs', async () => {
    // A raw session: the SDK client would hold the session's GET stream itself.
    const opened = await initialize(urlOf('orders'));
    const headers = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    await opened.text();
    const stream = await fetch(urlOf('orders'), { headers: { ...headers, accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    // The SDK transport keeps one standalone stream per session, so server messages are never duplicated.
    const second = await fetch(urlOf('orders'), { headers: { ...headers, accept: 'text/event-stream' } });
    expect(second.status).toBe(409);
    await second.body?.cancel();
    const posts = await Promise.all(
      [1, 2, 3].map((id) =>
        fetch(urlOf('orders'), {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' }),
        }),
      ),
    );
    const bodies = await Promise.all(posts.map((post) => post.text()));
    expect(posts.map((post) => post.headers.get('content-type'))).toEqual(Array(3).fill('text/event-stream'));
    for (const body of bodies) expect(body).toContain('get_order');
    await stream.body?.cancel();
  });
});

describe('protocol revision 2026-07-28', () => {
  it('serves a client pinned to the stateless revision, without a session', async () => {
    const client = new Client(
      { name: 'serve-http-test', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const transport = new StreamableHTTPClientTransport(new URL(urlOf('orders')));
    await client.connect(transport);
    clients.push(client);
    expect(transport.sessionId).toBeUndefined();
    const result = (await client.callTool({ name: 'get_order', arguments: { order_id: 'XYZ-789' } })) as CallToolResult;
    expect(text(result)).toContain('XYZ-789');
    expect((await client.listResources()).resources.length).toBeGreaterThan(0);
  });
});

describe('options.sessionIdleMs', () => {
  // Regression: clients often never send DELETE (the conformance runner does not); idle sessions must not pile up.
  it('closes a session idle for longer than sessionIdleMs, so its next request gets 404', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const server = await serveBuiltinHttp({ name: 'crm', dbFile, port: 0, sessionIdleMs: 60_000 });
    try {
      const opened = await initialize(server.url);
      const sessionId = opened.headers.get('mcp-session-id')!;
      await opened.text();
      const ping = () =>
        fetch(server.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': sessionId,
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
        });
      const early = await ping();
      expect(early.status).toBe(200);
      await early.text();
      await vi.advanceTimersByTimeAsync(30_000);
      const stillOpen = await ping();
      expect(stillOpen.status).toBe(200);
      await stillOpen.text();
      await vi.advanceTimersByTimeAsync(120_000);
      const late = await ping();
      expect(late.status).toBe(404);
      await late.body?.cancel();
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });
});
