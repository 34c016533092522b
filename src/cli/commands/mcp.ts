import { loadSettings } from '../../config/load.js';
import { isLoopbackHost } from '../../servers/node-http-bridge.js';
import { DEFAULT_MCP_HTTP_HOST, DEFAULT_MCP_HTTP_PORT, serveBuiltinHttp } from '../../servers/serve-http.js';
import { serveBuiltinStdio } from '../../servers/serve-stdio.js';
import { UsageError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';

export interface McpCommandOptions {
  /** Serve Streamable HTTP instead of stdio. */
  readonly http?: boolean;
  /** HTTP port (0 = any free port); default {@link DEFAULT_MCP_HTTP_PORT}. */
  readonly port?: number;
  /** HTTP interface; default {@link DEFAULT_MCP_HTTP_HOST}. */
  readonly host?: string;
  /** HTTP sessions kept at once (least recently used closed first). */
  readonly maxSessions?: number;
  /** Seconds an HTTP session may stay idle before it is closed. */
  readonly sessionIdleSeconds?: number;
}

/**
 * `deckhand mcp <server> [--http [--port N] [--host H]]`: runs one built-in server for any MCP host (Claude Desktop,
 * the Inspector…), over stdio until stdin closes, or over Streamable HTTP until SIGINT or SIGTERM.
 * @throws UsageError for an unknown server, `--port`/`--host` without `--http`, or an address that cannot be bound.
 */
export async function mcpCommand(name: string, options: McpCommandOptions = {}): Promise<number> {
  if (!options.http && [options.port, options.host, options.maxSessions, options.sessionIdleSeconds].some((value) => value !== undefined)) {
    throw new UsageError('--port, --host, --max-sessions and --session-idle-seconds apply to --http; add --http to serve over HTTP.');
  }
  const settings = loadSettings({});
  // The devops server reads its section (and the variables it names) from its environment, as when the host spawns it.
  const env = name === 'devops' ? { ...process.env, ...settings.devopsEnv } : process.env;
  const store = { dbFile: settings.dbFile, env, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) };
  if (!options.http) {
    await serveBuiltinStdio({ name, ...store });
    return 0;
  }
  const host = options.host ?? DEFAULT_MCP_HTTP_HOST;
  if (!isLoopbackHost(host)) {
    process.stderr.write(
      `deckhand: warning: --host ${host} is not a loopback address, so other machines can reach this server, and it has no ` +
        'authentication. Origin checking still stops web pages on other sites from using it through a browser; nothing stops other programs.\n',
    );
  }
  const logger = createLogger({ level: settings.logLevel, name: `deckhand-${name}` });
  const server = await serveBuiltinHttp({
    name,
    ...store,
    host,
    port: options.port ?? DEFAULT_MCP_HTTP_PORT,
    logger,
    ...(options.maxSessions !== undefined ? { maxSessions: options.maxSessions } : {}),
    ...(options.sessionIdleSeconds !== undefined ? { sessionIdleMs: options.sessionIdleSeconds * 1_000 } : {}),
  });
  process.stderr.write(`deckhand ${name} MCP server listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
