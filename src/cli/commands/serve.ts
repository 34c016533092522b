import { buildApiServer, DEFAULT_HOST, DEFAULT_PORT } from '../../http/index.js';
import { UsageError } from '../../shared/errors.js';
import { openRuntime } from '../../app/runtime.js';

/** The flags of `deckhand serve`. */
export interface ServeCommandOptions {
  readonly host?: string;
  readonly port?: number;
  /** `--model`, given once or more (a fallback chain). */
  readonly model?: readonly string[];
  readonly yes?: boolean;
}

/**
 * `deckhand serve [--host 127.0.0.1] [--port 8787]`: the HTTP API and run WebSocket, until SIGINT or SIGTERM;
 * then runs in progress are cancelled (resumable later), sockets closed, servers and store shut down.
 * Throws `UsageError` when the port is taken or the host is not this machine's.
 */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  await using runtime = await openRuntime({ ...(options.model !== undefined ? { model: options.model } : {}) });
  const host = options.host ?? DEFAULT_HOST;
  const { app } = await buildApiServer({ runtime, host, yes: options.yes === true });
  try {
    const port = options.port ?? DEFAULT_PORT;
    const address = await app.listen({ host, port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UsageError(`Port ${port} on ${host} is in use: pick another with --port (0 picks a free one).`, { cause: error });
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw new UsageError(`Cannot bind ${host}: --host must be an address of this machine.`, { cause: error });
      throw error;
    });
    const failed = runtime.host.failures();
    process.stderr.write(
      `Deckhand API on ${address}/api (model ${runtime.model.id}, ${runtime.host.status().length - failed.length} servers ready` +
        `${failed.length > 0 ? `, failed: ${failed.map((server) => server.name).join(', ')}` : ''}). Ctrl-C stops it.\n`,
    );
    if (host !== DEFAULT_HOST && host !== 'localhost' && host !== '::1') {
      process.stderr.write(`Warning: bound to ${host}; the API has no authentication, so anyone who reaches it can run tasks.\n`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stderr.write('Stopping: cancelling runs in progress…\n');
  } finally {
    await app.close();
  }
  return 0;
}
