import { buildApiServer, DEFAULT_HOST, DEFAULT_PORT, isLoopbackHost, resolveToken } from '../../http/index.js';
import { loadSettings } from '../../config/load.js';
import { UsageError } from '../../shared/errors.js';
import { openRuntime } from '../../app/runtime.js';
import { openScaleOut } from '../../queue/index.js';
import { queuedRunWorker, STOPPING_QUEUED_RUNS, stopSignal } from '../queued-runs.js';

/** The flags of `deckhand serve`. */
export interface ServeCommandOptions {
  readonly host?: string;
  readonly port?: number;
  /** `--model`, given once or more (a fallback chain). */
  readonly model?: readonly string[];
  readonly yes?: boolean;
  readonly token?: string;
  /** Queued runs this process executes at once, on PostgreSQL (`--concurrency`). Default 4; 0 takes none. */
  readonly concurrency?: number;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * `deckhand serve [--host 127.0.0.1] [--port 8787] [--token T]`: the HTTP API, WebSockets and web UI, until SIGINT
 * or SIGTERM; then runs in progress are cancelled (resumable later), sockets closed, servers and store shut down.
 * With `DATABASE_URL` on PostgreSQL it also takes queued runs (`--concurrency`, default 4) beside other serve and
 * worker processes; on SIGTERM it stops taking them, lets its runs go on for `DECKHAND_SHUTDOWN_GRACE_MS`, then
 * cancels the rest and queues them again for another process.
 * Prints the UI's URL with the access token once it listens. Throws `UsageError` when the port is taken, the host
 * is not this machine's, or a non-loopback host is bound without an explicit token (`--token` / `DECKHAND_TOKEN`).
 */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const host = options.host ?? DEFAULT_HOST;
  if (options.token !== undefined && !/^[\x21-\x7e]{16,512}$/.test(options.token)) {
    throw new UsageError('--token: expected 16 to 512 printable characters without spaces.');
  }
  // Checked before anything starts: settings are cheap to read, servers are not.
  const explicit = options.token ?? loadSettings({ flags: {} }).apiToken;
  if (!isLoopbackHost(host) && explicit === undefined) {
    throw new UsageError(`Refusing to bind ${host} without an explicit token: anyone who reaches it could drive the agent. Set DECKHAND_TOKEN or pass --token (16+ characters), or keep the default --host 127.0.0.1.`);
  }
  await using runtime = await openRuntime({ ...(options.model !== undefined ? { model: options.model } : {}) });
  const { token, source } = resolveToken({
    home: runtime.settings.home,
    ...(explicit !== undefined ? { explicit, explicitSource: options.token !== undefined ? 'flag' : 'env' } : {}),
  });
  const databaseUrl = runtime.settings.databaseUrl;
  await using scaleOut = databaseUrl ? await openScaleOut({ databaseUrl, db: runtime.store.db, role: 'serve', logger: runtime.logger }) : undefined;
  // A server's question mid-call, answered on any process, wakes the call waiting here at once.
  using _answers = scaleOut ? runtime.elicitation.listenTo(scaleOut.feed) : undefined;
  const { app, runs } = await buildApiServer({ runtime, host, token, yes: options.yes === true, ...(scaleOut ? { scaleOut } : {}) });
  // --concurrency 0: this process serves the API and streams, and leaves executing runs to the others.
  const worker = scaleOut && options.concurrency !== 0 ? queuedRunWorker(runtime, scaleOut, runs, options.concurrency) : undefined;
  try {
    const port = options.port ?? DEFAULT_PORT;
    const address = await app.listen({ host, port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UsageError(`Port ${port} on ${host} is in use: pick another with --port (0 picks a free one).`, { cause: error });
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw new UsageError(`Cannot bind ${host}: --host must be an address of this machine.`, { cause: error });
      throw error;
    });
    await worker?.start();
    const failed = runtime.host.failures();
    const url = new URL(address);
    if (WILDCARD_HOSTS.has(host)) url.hostname = '127.0.0.1';
    process.stderr.write(
      `Deckhand on ${address} (model ${runtime.model.id}, ${runtime.host.status().length - failed.length} servers ready` +
        `${worker ? ', taking queued runs' : ''}` +
        `${failed.length > 0 ? `, failed: ${failed.map((server) => server.name).join(', ')}` : ''}). Ctrl-C stops it.\n`,
    );
    // The one place the token is shown: a URL that logs the browser in (the UI then drops it from the address bar).
    process.stderr.write(`Open ${url.origin}/?token=${encodeURIComponent(token)}${source === 'generated' ? '  (new token, stored in $DECKHAND_HOME/api-token)' : ''}\n`);
    await stopSignal();
    process.stderr.write(scaleOut ? STOPPING_QUEUED_RUNS : 'Stopping: cancelling runs in progress…\n');
  } finally {
    // No new job first, then the runs here end (or are cancelled and queued again), then the sockets go.
    await worker?.stop();
    await app.close();
  }
  return 0;
}
