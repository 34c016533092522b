/**
 * @module Test helpers shared by the built-in servers' suites: a real MCP client on a server spawned exactly as
 * the host spawns it, or on one built in-process, and readers for tool results.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/client';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpServer } from '@modelcontextprotocol/server';
import { builtinServerEntry } from '../../shared/package-info.js';

/** The text of a tool result, joined. */
export function resultText(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** The structured content of a successful result; throws with the text when the result is an error. */
export function structured<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`unexpected tool error: ${resultText(result)}`);
  return result.structuredContent as T;
}

/** A fresh SQLite file in its own temporary folder. */
export function freshDbFile(label = 'server'): string {
  return join(mkdtempSync(join(tmpdir(), `deckhand-${label}-`)), 'deckhand.db');
}

/** Calls a tool on `client`; errors are results (`isError: true`). */
export const callerOf =
  (client: Client) =>
  async (tool: string, args: Record<string, unknown>): Promise<CallToolResult> =>
    (await client.callTool({ name: tool, arguments: args })) as CallToolResult;

/**
 * What the test client offers the server, for servers that ask it things (devops: sampling, elicitation):
 * its capabilities, and `handle`, which sets its request handlers before it connects.
 */
export interface ClientSetup {
  readonly capabilities?: ClientCapabilities;
  readonly handle?: (client: Client) => void;
}

function testClient(name: string, setup: ClientSetup = {}): Client {
  const client = new Client({ name, version: '1.0.0' }, setup.capabilities ? { capabilities: setup.capabilities } : undefined);
  setup.handle?.(client);
  return client;
}

/** Spawns the bundled built-in server `name` (`node dist/server.js name`) on `dbFile`, as the host does. */
export async function spawnBuiltinServer(name: string, dbFile: string, env: Readonly<Record<string, string>> = {}, setup?: ClientSetup): Promise<Client> {
  const client = testClient(`${name}-test`, setup);
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [builtinServerEntry(), name],
      env: { DECKHAND_DB: dbFile, ...env },
      stderr: 'pipe',
    }),
  );
  return client;
}

/** Connects a client to a server built in this process, over a linked pair of in-memory transports. */
export async function connectInProcess(server: McpServer, setup?: ClientSetup): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = testClient('test', setup);
  await client.connect(clientTransport);
  return client;
}
