import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/schema.js';
import { UsageError } from '../shared/errors.js';
import { VERSION } from '../shared/package-info.js';
import type { BuiltinDatabase } from './database.js';
import { openServerDatabase } from './open-server-database.js';
import { BUILTIN_SERVERS, type BuiltinServerOptions, builtinServerOptionsFromEnv } from './registry.js';
import { registerServerExtras } from './server-extras.js';
import { serveOnStream } from './serve-stream.js';

export function isBuiltinServerName(name: string): name is BuiltinServerName {
  return (BUILTIN_SERVER_NAMES as readonly string[]).includes(name);
}

/**
 * Checks that `name` is a built-in server.
 * @throws UsageError naming the built-in servers when it is not.
 */
export function assertBuiltinServerName(name: string): asserts name is BuiltinServerName {
  if (!isBuiltinServerName(name)) {
    throw new UsageError(`Unknown built-in server '${name}'. Built-in servers: ${BUILTIN_SERVER_NAMES.join(', ')}.`);
  }
}

/**
 * A ready-to-connect built-in server as the serving entries expose it: the server's own tools from its factory,
 * plus the `logging` capability, resources and prompt from `server-extras.ts`.
 */
export function createBuiltinServer(
  name: BuiltinServerName,
  db: Kysely<BuiltinDatabase>,
  options?: BuiltinServerOptions,
): McpServer {
  return registerServerExtras(BUILTIN_SERVERS[name](db, VERSION, options), name, db);
}

/**
 * Runs one built-in server over stdio until stdin closes. stdout carries JSON-RPC only; anything for
 * people goes to stderr. A message over 4 MiB gets a JSON-RPC error (-32600) and the
 * server keeps serving.
 * @throws UsageError for an unknown server name (before the store is opened).
 */
export async function serveBuiltinStdio(options: {
  name: string;
  dbFile: string;
  databaseUrl?: string;
  /** Where the servers' own settings (the email server's `SMTP_URL`, `SMTP_FROM`) are read, once; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The host already migrated and seeded the database (`DECKHAND_DB_READY=1`): skip that. Default false. */
  ready?: boolean;
}): Promise<void> {
  assertBuiltinServerName(options.name);
  const env = options.env ?? process.env;
  const serverOptions = builtinServerOptionsFromEnv(options.name, env);
  const store = await openServerDatabase({ name: options.name, file: options.dbFile, databaseUrl: options.databaseUrl, ready: options.ready ?? false });
  const server = createBuiltinServer(options.name, store.db, serverOptions);
  await serveOnStream({ name: options.name, server, input: process.stdin, output: process.stdout, env });
  await store.close();
}
