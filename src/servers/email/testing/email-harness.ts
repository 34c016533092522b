import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import SqliteDatabase from 'better-sqlite3';
import { builtinServerEntry } from '../../../shared/package-info.js';
import { openStore } from '../../../store/database.js';
import { createEmailServer, type EmailServerOptions } from '../server.js';

/** An outbox row as the tests read it straight from the database. */
export interface OutboxRow {
  readonly id: string;
  readonly to_address: string;
  readonly subject: string;
  readonly body: string;
  readonly kind: string;
  readonly order_id: string | null;
  readonly status: string;
  readonly delivery_note: string | null;
  readonly idempotency_key: string | null;
}

/** A connected email server plus direct reads of the rows behind it. */
export interface EmailHarness {
  readonly client: Client;
  /** Calls a tool; errors are results (`isError: true`). */
  call(tool: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** The outbox row `id`, or undefined. */
  email(id: string): Promise<OutboxRow | undefined>;
  /** How many outbox rows there are. */
  emailCount(): Promise<number>;
  /** How many idempotency records carry `key`. */
  keyCount(key: string): Promise<number>;
  close(): Promise<void>;
}

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
export function freshDbFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'deckhand-email-')), 'deckhand.db');
}

/**
 * Spawns the bundled email server (`node dist/server.js email`) as a real child process, exactly as the host
 * does, with `env` added (e.g. `SMTP_URL`); rows are read with a separate read-only better-sqlite3 handle.
 */
export async function stdioEmailHarness(
  env: Readonly<Record<string, string>> = {},
  dbFile = freshDbFile(),
): Promise<EmailHarness> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [builtinServerEntry(), 'email'],
      env: { DECKHAND_DB: dbFile, ...env },
      stderr: 'pipe',
    }),
  );
  const read = <T>(query: string, ...values: string[]): T | undefined => {
    const db = new SqliteDatabase(dbFile, { readonly: true });
    try {
      return db.prepare(query).get(...values) as T | undefined;
    } finally {
      db.close();
    }
  };
  return {
    client,
    call: async (tool, args) => (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
    email: async (id) => read<OutboxRow>('select * from emails where id = ?', id),
    emailCount: async () => read<{ n: number }>('select count(*) as n from emails')?.n ?? 0,
    keyCount: async (key) =>
      read<{ n: number }>('select count(*) as n from idempotency_keys where key = ?', key)?.n ?? 0,
    close: () => client.close(),
  };
}

/**
 * Opens the store at `databaseUrl` (migrated and seeded), builds the email server with `options` and talks to
 * it in-process over a linked pair of in-memory transports.
 */
export async function inProcessEmailHarness(
  databaseUrl: string,
  options: EmailServerOptions = {},
): Promise<EmailHarness> {
  const store = await openStore({ file: 'unused', databaseUrl });
  const server = createEmailServer(store.db, '0.0.0-test', options);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    call: async (tool, args) => (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
    email: (id) => store.db.selectFrom('emails').selectAll().where('id', '=', id).executeTakeFirst(),
    emailCount: async () =>
      Number(
        (
          await store.db
            .selectFrom('emails')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    keyCount: async (key) =>
      Number(
        (
          await store.db
            .selectFrom('idempotency_keys')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('key', '=', key)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    close: async () => {
      await client.close();
      await server.close();
      await store.close();
    },
  };
}
