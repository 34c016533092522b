/**
 * @module The one test harness of the built-in servers: a real MCP client on a server, plus direct access to
 * the rows behind it, on either backend — SQLite through the bundled server spawned over stdio exactly as the
 * host spawns it (or in-process, for suites of a server's logic), or PostgreSQL (a scratch database) with the
 * server in-process — and {@link forEachBackend},
 * which runs a contract suite on both (PostgreSQL only when it answers; otherwise a skipped suite says why).
 */
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { type Kysely, sql } from 'kysely';
import { describe, it } from 'vitest';
import { ADMIN_URL, createScratchDatabase, postgresReachable } from '../../../test/helpers/postgres.js';
import type { BuiltinServerName } from '../../config/schema.js';
import { openDatabase } from '../../shared/database/open-database.js';
import type { BuiltinDatabase } from '../database.js';
import { openServerDatabase } from '../open-server-database.js';
import { builtinServerOptionsFromEnv } from '../registry.js';
import { createBuiltinServer } from '../serve-stdio.js';
import { callerOf, type ClientSetup, connectInProcess, freshDbFile, spawnBuiltinServer } from './mcp-client.js';

export { type ClientSetup, freshDbFile, resultText, structured } from './mcp-client.js';

/** Calls one tool; failures come back as results with `isError: true`. */
export type CallTool = (tool: string, args: Record<string, unknown>) => Promise<CallToolResult>;

/** A built-in server behind a real MCP client, and the database behind the server. */
export interface ServerHarness {
  /** `SQLite over stdio` or `PostgreSQL in-process`, for test names. */
  readonly label: string;
  readonly client: Client;
  readonly call: CallTool;
  /** The server's database, queried directly, bypassing the server. */
  readonly db: Kysely<BuiltinDatabase>;
  /** Rows of `table` whose columns equal `where`. */
  count(table: keyof BuiltinDatabase, where?: Readonly<Record<string, string>>): Promise<number>;
  /** Inserts a fixture row straight into the database, bypassing the server. */
  insert(table: keyof BuiltinDatabase, row: Readonly<Record<string, string | null>>): Promise<void>;
  /** A second, independent client on the same data: another process on SQLite, another server on PostgreSQL. */
  connectAnother(): Promise<{ call: CallTool; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The server's environment (e.g. `SMTP_URL`): passed to the spawned process, or read in-process as it would be. */
  readonly env?: Readonly<Record<string, string>>;
  /** SQLite only: the file (default a fresh one), so several harnesses can share it. */
  readonly dbFile?: string;
  /** What the client offers the server (capabilities, request handlers); every client of the harness gets it. */
  readonly client?: ClientSetup;
}

/** Opens a harness on built-in server `name`. */
export type OpenHarness = (name: BuiltinServerName, options?: HarnessOptions) => Promise<ServerHarness>;

/**
 * Spawns the bundled server (`node dist/server.js <name>`) as a child process on a SQLite file, as the host
 * does but without `DECKHAND_DB_READY`, so the server prepares the file itself; the harness opens the same
 * file once it has.
 */
export const stdioHarness: OpenHarness = async (name, options = {}) => {
  const dbFile = options.dbFile ?? freshDbFile(name);
  const env = options.env ?? {};
  const client = await spawnBuiltinServer(name, dbFile, env, options.client);
  // Opened after the server has created, migrated and seeded the file (it answers `initialize` only then).
  const database = await openDatabase<BuiltinDatabase>({ file: dbFile });
  return harnessOver({
    label: 'SQLite over stdio',
    client,
    db: database.db,
    connectAnother: async () => {
      const other = await spawnBuiltinServer(name, dbFile, env, options.client);
      return { call: callerOf(other), close: () => other.close() };
    },
    close: async () => {
      await client.close();
      await database.close();
    },
  });
};

/**
 * Opens `name` on a fresh SQLite file as the server does standalone (migrating and seeding what it needs) and talks
 * to it in-process over linked in-memory transports: for suites of a server's logic, where a process per test
 * would cost more than it proves (the stdio path is proven by the suites on {@link stdioHarness}).
 */
export const sqliteInProcessHarness: OpenHarness = async (name, options = {}) => {
  const database = await openServerDatabase({ name, file: options.dbFile ?? freshDbFile(name) });
  return inProcessHarness('SQLite in-process', name, database, options, () => database.close());
};

/**
 * Creates a scratch PostgreSQL database, opens it as the server does standalone (migrating and seeding what
 * `name` needs) and talks to the server in-process over linked in-memory transports. `close` drops the database.
 */
export const postgresHarness: OpenHarness = async (name, options = {}) => {
  const scratch = await createScratchDatabase();
  try {
    const database = await openServerDatabase({ name, file: 'unused', databaseUrl: scratch.url });
    return await inProcessHarness('PostgreSQL in-process', name, database, options, async () => {
      await database.close();
      await scratch.drop();
    });
  } catch (error) {
    await scratch.drop();
    throw error;
  }
};

/** A harness on servers built in this process over `database`; `release` runs after the clients close. */
async function inProcessHarness(
  label: string,
  name: BuiltinServerName,
  database: { readonly db: Kysely<BuiltinDatabase> },
  options: HarnessOptions,
  release: () => Promise<void>,
): Promise<ServerHarness> {
  const serverOptions = builtinServerOptionsFromEnv(name, options.env ?? {});
  const connect = async () => {
    const server = createBuiltinServer(name, database.db, serverOptions);
    const client = await connectInProcess(server, options.client);
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
  return harnessOver({
    label,
    client: first.client,
    db: database.db,
    connectAnother: connect,
    close: async () => {
      await first.close();
      await release();
    },
  });
}

function harnessOver(parts: Pick<ServerHarness, 'label' | 'client' | 'db' | 'connectAnother' | 'close'>): ServerHarness {
  const { db } = parts;
  const conditions = (where: Readonly<Record<string, string>>) =>
    Object.keys(where).length > 0
      ? sql` where ${sql.join(
          Object.entries(where).map(([column, value]) => sql`${sql.ref(column)} = ${value}`),
          sql` and `,
        )}`
      : sql``;
  return {
    ...parts,
    call: callerOf(parts.client),
    count: async (table, where = {}) => {
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}${conditions(where)}`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },
    insert: async (table, row) => {
      const columns = Object.keys(row);
      await sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) values (${sql.join(Object.values(row))})`.execute(db);
    },
  };
}

/** One backend a contract suite runs on. */
export interface Backend {
  readonly label: string;
  readonly open: OpenHarness;
}

export interface BackendOptions {
  /**
   * How the SQLite run reaches the server: `stdio` (default), the bundled server spawned as the host spawns it;
   * `in-process`, for a suite that opens a server per test to check its logic (a process each would dominate it).
   */
  readonly sqlite?: 'stdio' | 'in-process';
}

/**
 * Runs `contract` on SQLite (through the real stdio server, or in-process), then on PostgreSQL in-process when the
 * test PostgreSQL answers; when it does not, registers a skipped suite named `<suite>: PostgreSQL in-process (…)`
 * so the report says what did not run. Call it at the top level of a test file (`await forEachBackend(…)`).
 */
export async function forEachBackend(suite: string, contract: (backend: Backend) => void, options: BackendOptions = {}): Promise<void> {
  if (options.sqlite === 'in-process') contract({ label: 'SQLite in-process', open: sqliteInProcessHarness });
  else contract({ label: 'SQLite over stdio', open: stdioHarness });
  if (await postgresReachable()) {
    contract({ label: 'PostgreSQL in-process', open: postgresHarness });
  } else {
    describe.skip(`${suite}: PostgreSQL in-process (no PostgreSQL at ${new URL(ADMIN_URL).host})`, () => {
      it('skipped', () => {});
    });
  }
}
