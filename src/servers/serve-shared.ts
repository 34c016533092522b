/**
 * @module A shared server process: `node dist/server.js --shared crm orders …` serves each named built-in server on
 * a socket of its own (fds 4, 5, … in the order named; the host's side is `mcp/shared-process.ts`), after reading
 * from fd 3 what each server alone gets in its environment. One Node process, one MCP SDK, one store connection;
 * each server is still an MCP server of its own, with its own connection, tools and state.
 */
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { BuiltinServerName } from '../config/schema.js';
import { errorMessage, UsageError } from '../shared/errors.js';
import { openServerDatabase } from './open-server-database.js';
import { builtinServerOptionsFromEnv } from './registry.js';
import { assertBuiltinServerName, createBuiltinServer } from './serve-stdio.js';
import { serveOnStream } from './serve-stream.js';

/** fd of the pipe carrying the members' environments; the first member's socket is the next one. */
const CONTROL_FD = 3;

const ControlSchema = z.object({
  servers: z.array(z.object({ name: z.string(), env: z.record(z.string(), z.string()) })),
});

/** Reads `stream` to its end as UTF-8. */
async function readAll(stream: Readable): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/**
 * Serves the built-in servers `names` on fds 4, 5, … until the host goes (stdin ends) or every socket has closed.
 * A server that cannot start (a malformed `SMTP_URL`) says why on stderr and closes its socket; the others serve on.
 *
 * @throws UsageError for an unknown or repeated name, or a control message that does not match `names`.
 */
export async function serveBuiltinShared(options: {
  names: readonly string[];
  dbFile: string;
  databaseUrl?: string;
  /** The host already migrated and seeded the database: skip that. */
  ready: boolean;
  /** The process environment, under each member's own. */
  env: Readonly<Record<string, string | undefined>>;
}): Promise<void> {
  const names: BuiltinServerName[] = [];
  for (const name of options.names) {
    assertBuiltinServerName(name);
    if (names.includes(name)) throw new UsageError(`Built-in server '${name}' is named twice.`);
    names.push(name);
  }
  if (names.length === 0) throw new UsageError('--shared needs the names of the built-in servers to serve.');
  const control = ControlSchema.safeParse(JSON.parse((await readAll(new Socket({ fd: CONTROL_FD, readable: true, writable: false }))) || 'null'));
  if (!control.success || control.data.servers.map((server) => server.name).join() !== names.join()) {
    throw new UsageError(`--shared expects on fd ${CONTROL_FD} the environments of ${names.join(', ')}, in that order; the host writes them.`);
  }
  const store = await openServerDatabase({ name: names, file: options.dbFile, databaseUrl: options.databaseUrl, ready: options.ready });
  const servers: Array<{ close(): Promise<void> }> = [];
  const served = names.map(async (name, index) => {
    const socket = new Socket({ fd: CONTROL_FD + 1 + index, readable: true, writable: true });
    socket.on('error', () => {});
    const env = { ...options.env, ...control.data.servers[index]!.env };
    try {
      const server = createBuiltinServer(name, store.db, builtinServerOptionsFromEnv(name, env));
      servers.push(server);
      await serveOnStream({ name, server, input: socket, output: socket, env });
    } catch (error) {
      process.stderr.write(`deckhand ${name} server: ${errorMessage(error)}\n`);
    } finally {
      socket.destroy();
    }
  });
  // The host closes stdin when it closes (or dies): every server then ends.
  process.stdin.on('end', () => {
    for (const server of servers) void server.close();
  });
  process.stdin.resume();
  await Promise.all(served);
  await store.close();
}
