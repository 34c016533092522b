/**
 * @module A shared server process: `node dist/server.js --shared crm orders …` serves each named built-in server on
 * a socket of its own (fds 4, 5, … in the order named; the host's side is `mcp/shared-process.ts`), after reading
 * from fd 3 what each server alone gets in its environment (fd 3 then says when the database is ready). One Node process, one MCP SDK, one store connection;
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

const EnvironmentsSchema = z.object({
  servers: z.array(z.object({ name: z.string(), env: z.record(z.string(), z.string()) })),
});
const ReadySchema = z.object({ ready: z.literal(true) });

/**
 * The control pipe, read as lines of JSON: first the members' environments (written at spawn), then
 * `{"ready":true}` once the host has prepared the database. `ready` rejects when the pipe ends without it (the
 * host failed to open its store, or is gone).
 */
function readControl(stream: Readable): { environments: Promise<unknown>; ready: Promise<void> } {
  const environments = Promise.withResolvers<unknown>();
  const ready = Promise.withResolvers<void>();
  const lines: string[] = [];
  let partial = '';
  const settle = (ended: boolean) => {
    if (lines.length >= 1 || ended) environments.resolve(lines[0] === undefined ? null : parseLine(lines[0]));
    if (lines.length >= 2 && ReadySchema.safeParse(parseLine(lines[1]!)).success) ready.resolve();
    else if (ended) ready.reject(new Error('the host closed the control pipe before the database was ready'));
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.trim() !== ''));
    settle(false);
  });
  stream.on('error', () => {});
  stream.on('close', () => {
    if (partial.trim() !== '') lines.push(partial);
    settle(true);
  });
  // Awaited only by the database's first query: a host that goes before it is ready must not crash this process.
  ready.promise.catch(() => {});
  return { environments: environments.promise, ready: ready.promise };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return null;
  }
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
  const pipe = readControl(new Socket({ fd: CONTROL_FD, readable: true, writable: false }));
  const control = EnvironmentsSchema.safeParse(await pipe.environments);
  if (!control.success || control.data.servers.map((server) => server.name).join() !== names.join()) {
    throw new UsageError(`--shared expects on fd ${CONTROL_FD} the environments of ${names.join(', ')}, in that order; the host writes them.`);
  }
  // With the database prepared by the host, the servers answer the MCP handshake and list their tools while the host
  // is still opening it (their first query waits for it); otherwise they prepare their own data once the host says so.
  if (!options.ready) await pipe.ready;
  const store = await openServerDatabase({ name: names, file: options.dbFile, databaseUrl: options.databaseUrl, ready: options.ready, openWhen: pipe.ready });
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
