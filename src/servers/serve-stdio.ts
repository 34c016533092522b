import type { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Kysely } from 'kysely';
import { limitMessageSize, MAX_MESSAGE_BYTES, oversizedMessageError } from './message-size-limit.js';
import { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/schema.js';
import { UsageError } from '../shared/errors.js';
import { VERSION } from '../shared/package-info.js';
import type { BuiltinDatabase } from './database.js';
import { openServerDatabase } from './open-server-database.js';
import { BUILTIN_SERVERS, type BuiltinServerOptions, builtinServerOptionsFromEnv } from './registry.js';
import { registerServerExtras } from './server-extras.js';
import { logToolCalls } from './shared/tool-call-logging.js';
import { startServerTracing } from './shared/tracing.js';

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
 * people goes to stderr. A message over {@link MAX_MESSAGE_BYTES} (4 MiB) gets a JSON-RPC error (-32600) and the
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
  // Oversized messages are answered here and never reach the SDK's buffer, whose overflow would close the connection.
  const input = process.stdin.pipe(
    limitMessageSize({
      onOversized: (id, bytes) => {
        process.stderr.write(`deckhand ${options.name} server: refused a ${bytes}-byte message (limit ${MAX_MESSAGE_BYTES})\n`);
        if (id !== null) process.stdout.write(oversizedMessageError(id, bytes));
      },
    }),
  );
  const transport = new StdioServerTransport(input, process.stdout, { maxBufferSize: 2 * MAX_MESSAGE_BYTES + 1024 * 1024 });
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  const tracing = await startServerTracing({ name: options.name, env });
  await server.connect(transport);
  logToolCalls({ server, transport, logger: options.name, ...(tracing ? { onToolCall: (call) => tracing.record(call) } : {}) });
  process.stdin.on('end', () => void server.close());
  await closed;
  // The host waits for a server to exit after closing its stdin: time to hand the last spans to the collector.
  await tracing?.shutdown().catch(() => {});
  await store.close();
}
