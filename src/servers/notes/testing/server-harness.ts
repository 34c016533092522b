import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import type { McpServer } from '@modelcontextprotocol/server';
import { DatabaseSync } from 'node:sqlite';
import { type Kysely, sql } from 'kysely';
import { openStore } from '../../../store/database.js';
import type { Database } from '../../../store/schema.js';
import { callerOf, connectInProcess, freshDbFile, spawnBuiltinServer } from '../../testing/mcp-client.js';

export { resultText, structured } from '../../testing/mcp-client.js';

/** A connected MCP client plus direct access to the rows behind the server, for tests. */
export interface ServerHarness {
  /** Calls a tool and returns its result (errors are results, `isError: true`). */
  call(tool: string, args: Record<string, unknown>): Promise<CallToolResult>;
  readonly client: Client;
  /** Rows of `table` whose columns equal `where`, counted straight from the database. */
  count(table: keyof Database, where: Readonly<Record<string, string>>): Promise<number>;
  /** Inserts a fixture row straight into the database, bypassing the server. */
  insert(table: keyof Database, row: Readonly<Record<string, string | null>>): Promise<void>;
  close(): Promise<void>;
}

function whereClause(where: Readonly<Record<string, string>>): { text: string; values: string[] } {
  const entries = Object.entries(where);
  return {
    text: entries.length > 0 ? ` where ${entries.map(([column]) => `"${column}" = ?`).join(' and ')}` : '',
    values: entries.map(([, value]) => value),
  };
}

/**
 * Spawns the bundled built-in server `name` (`node dist/server.js name`) as a real child process on a fresh
 * SQLite file, exactly as the host does; rows are read with a separate read-only node:sqlite handle.
 */
export async function stdioHarness(
  name: string,
  dbFile = freshDbFile(name),
): Promise<ServerHarness> {
  const client = await spawnBuiltinServer(name, dbFile);
  return {
    client,
    call: callerOf(client),
    count: async (table, where) => {
      const db = new DatabaseSync(dbFile, { readOnly: true });
      try {
        const { text, values } = whereClause(where);
        return (db.prepare(`select count(*) as n from "${table}"${text}`).get(...values) as { n: number }).n;
      } finally {
        db.close();
      }
    },
    insert: async (table, row) => {
      const db = new DatabaseSync(dbFile);
      try {
        db.exec('pragma busy_timeout = 5000');
        const columns = Object.keys(row);
        db.prepare(
          `insert into "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
        ).run(...Object.values(row));
      } finally {
        db.close();
      }
    },
    close: () => client.close(),
  };
}

/**
 * Opens the store at `databaseUrl` (migrated and seeded), builds the server with `create` and talks to it
 * in-process over a linked pair of in-memory transports.
 */
export async function inProcessHarness(options: {
  databaseUrl: string;
  create: (db: Kysely<Database>, version: string) => McpServer;
}): Promise<ServerHarness> {
  const store = await openStore({ file: 'unused', databaseUrl: options.databaseUrl });
  const server = options.create(store.db, '0.0.0-test');
  const client = await connectInProcess(server);
  const conditions = (where: Readonly<Record<string, string>>) =>
    Object.keys(where).length > 0
      ? sql` where ${sql.join(
          Object.entries(where).map(([column, value]) => sql`${sql.ref(column)} = ${value}`),
          sql` and `,
        )}`
      : sql``;
  return {
    client,
    call: callerOf(client),
    count: async (table, where) => {
      const { rows } = await sql<{
        n: number | string;
      }>`select count(*) as n from ${sql.table(table)}${conditions(where)}`.execute(store.db);
      return Number(rows[0]?.n ?? 0);
    },
    insert: async (table, row) => {
      const columns = Object.keys(row);
      await sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) values (${sql.join(Object.values(row))})`.execute(
        store.db,
      );
    },
    close: async () => {
      await client.close();
      await server.close();
      await store.close();
    },
  };
}
