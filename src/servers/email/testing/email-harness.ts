import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../../../store/database.js';
import { createEmailServer, type EmailServerOptions } from '../server.js';
import { callerOf, connectInProcess, freshDbFile, spawnBuiltinServer } from '../../testing/mcp-client.js';

export { resultText, structured, freshDbFile } from '../../testing/mcp-client.js';

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

/**
 * Spawns the bundled email server (`node dist/server.js email`) as a real child process, exactly as the host
 * does, with `env` added (e.g. `SMTP_URL`); rows are read with a separate read-only node:sqlite handle.
 */
export async function stdioEmailHarness(
  env: Readonly<Record<string, string>> = {},
  dbFile = freshDbFile('email'),
): Promise<EmailHarness> {
  const client = await spawnBuiltinServer('email', dbFile, env);
  const read = <T>(query: string, ...values: string[]): T | undefined => {
    const db = new DatabaseSync(dbFile, { readOnly: true });
    try {
      return db.prepare(query).get(...values) as T | undefined;
    } finally {
      db.close();
    }
  };
  return {
    client,
    call: callerOf(client),
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
  const client = await connectInProcess(server);
  return {
    client,
    call: callerOf(client),
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
