import { setTimeout as sleep } from 'node:timers/promises';
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ADMIN_URL } from '../../../../test/helpers/postgres.js';
import { openStore } from '../../../store/database.js';
import { NodeSqliteDatabase } from '../../../store/node-sqlite.js';
import type { Database } from '../../../store/schema.js';
import { createOrdersServer } from '../server.js';
import { callerOf, connectInProcess, freshDbFile, spawnBuiltinServer } from '../../testing/mcp-client.js';

export { resultText, structured } from '../../testing/mcp-client.js';

/** Calls one tool; failures come back as results with `isError: true`. */
export type CallTool = (tool: string, args: Record<string, unknown>) => Promise<CallToolResult>;

/** An orders server behind a real MCP client, plus a direct view of the rows it writes. */
export interface OrdersHarness {
  /** `sqlite (stdio)` or `postgresql (in-process)`, for test names. */
  readonly label: string;
  readonly client: Client;
  readonly call: CallTool;
  /** Queries the store directly, bypassing the server (read-only on SQLite). */
  readonly db: Kysely<Database>;
  /** A second, independent client on the same data: another process on SQLite, another server on PostgreSQL. */
  connectAnother(): Promise<{ call: CallTool; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * Spawns the bundled server (`node dist/server.js orders`) as a child process on a fresh SQLite file, as the
 * host does. Rows are read through a separate read-only node:sqlite handle.
 */
export async function stdioHarness(): Promise<OrdersHarness> {
  const dbFile = freshDbFile('orders');
  const client = await spawnBuiltinServer('orders', dbFile);
  // Opened after the server has created, migrated and seeded the file.
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new NodeSqliteDatabase(new DatabaseSync(dbFile, { readOnly: true })) }),
  });
  return {
    label: 'sqlite (stdio)',
    client,
    call: callerOf(client),
    db,
    connectAnother: async () => {
      const other = await spawnBuiltinServer('orders', dbFile);
      return { call: callerOf(other), close: () => other.close() };
    },
    close: async () => {
      await client.close();
      await db.destroy();
    },
  };
}

/** Opens the store at `databaseUrl` (migrated and seeded) and talks to `createOrdersServer` in-process. */
export async function inProcessHarness(options: { databaseUrl: string; label: string }): Promise<OrdersHarness> {
  const store = await openStore({ file: 'unused', databaseUrl: options.databaseUrl });
  const connect = async () => {
    const server = createOrdersServer(store.db, '0.0.0-test');
    const client = await connectInProcess(server);
    return {
      client,
      call: callerOf(client),
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  };
  const first = await connect();
  return {
    label: options.label,
    client: first.client,
    call: first.call,
    db: store.db,
    connectAnother: connect,
    close: async () => {
      await first.close();
      await store.close();
    },
  };
}

const DISCONNECT_POLLS = 200;
const DISCONNECT_POLL_MS = 10;

/**
 * Resolves once no session is connected to the database at `databaseUrl`. pg-pool's `end()` resolves as soon
 * as it has asked its clients to close, before their backends have exited; dropping the database `WITH
 * (FORCE)` in that window kills a closing backend and the client raises an unhandled error.
 */
export async function waitForDisconnect(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (let poll = 0; poll < DISCONNECT_POLLS; poll++) {
      const { rows } = await admin.query<{ sessions: number }>(
        'select count(*)::int as sessions from pg_stat_activity where datname = $1',
        [name],
      );
      if (rows[0]?.sessions === 0) return;
      await sleep(DISCONNECT_POLL_MS);
    }
  } finally {
    await admin.end();
  }
}
