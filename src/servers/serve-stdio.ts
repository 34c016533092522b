import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/schema.js';
import { UsageError } from '../shared/errors.js';
import { VERSION } from '../shared/package-info.js';
import { openStore } from '../store/database.js';
import { BUILTIN_SERVERS, builtinServerOptionsFromEnv } from './registry.js';

export function isBuiltinServerName(name: string): name is BuiltinServerName {
  return (BUILTIN_SERVER_NAMES as readonly string[]).includes(name);
}

/**
 * Runs one built-in server over stdio until stdin closes. stdout carries JSON-RPC only; anything for
 * people goes to stderr.
 */
export async function serveBuiltinStdio(options: {
  name: string;
  dbFile: string;
  databaseUrl?: string;
  /** Where the servers' own settings (the email server's `SMTP_URL`, `SMTP_FROM`) are read, once; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}): Promise<void> {
  if (!isBuiltinServerName(options.name)) {
    throw new UsageError(`Unknown built-in server '${options.name}'. Built-in servers: ${BUILTIN_SERVER_NAMES.join(', ')}.`);
  }
  const serverOptions = builtinServerOptionsFromEnv(options.name, options.env ?? process.env);
  const store = await openStore({ file: options.dbFile, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) });
  const server = BUILTIN_SERVERS[options.name](store.db, VERSION, serverOptions);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  process.stdin.on('end', () => void server.close());
  await closed;
  await store.close();
}
