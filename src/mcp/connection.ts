import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { HttpServerConfig, McpServerConfig, StdioServerConfig } from '../config/schema.js';
import { delay, mergeSignals } from '../shared/abort.js';
import { errorMessage, ServerStartError } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { StderrTail } from './stderr-tail.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const RESTART_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000] as const;
/** A server that crashes this many times in a row without a successful call is given up on. */
const MAX_CONSECUTIVE_RESTARTS = RESTART_BACKOFF_MS.length;

export type ConnectionState = 'connecting' | 'ready' | 'restarting' | 'failed' | 'closed';

/** A tool as one server lists it. */
export interface ServerTool {
  readonly server: string;
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema?: Record<string, unknown>;
  readonly annotations?: Tool['annotations'];
}

export interface ConnectionOptions {
  readonly logger?: Logger;
  readonly connectTimeoutMs?: number;
  readonly callTimeoutMs?: number;
  readonly clientInfo?: { name: string; version: string };
  /** Called after the server's tool list changed (`notifications/tools/list_changed`) or it was re-listed after a restart. */
  readonly onToolsChanged?: (connection: ServerConnection) => void;
}

/** Thrown by `callTool` when the server could not answer: it crashed, timed out or is unreachable. */
export class ServerCallError extends Error {
  constructor(
    message: string,
    readonly kind: 'crashed' | 'timeout' | 'unavailable' | 'protocol',
  ) {
    super(message);
    this.name = 'ServerCallError';
  }
}

export function isStdio(config: McpServerConfig): config is StdioServerConfig {
  return 'command' in config;
}

export function describeTarget(config: McpServerConfig): string {
  return isStdio(config) ? [config.command, ...config.args].join(' ') : config.url;
}

/**
 * One MCP server: connects over stdio or Streamable HTTP (falling back to legacy SSE), keeps its tool list
 * fresh on `tools/list_changed`, applies a per-call timeout, and respawns a crashed stdio server with backoff.
 */
export class ServerConnection implements AsyncDisposable {
  state: ConnectionState = 'connecting';
  tools: readonly ServerTool[] = [];
  /** Why the server is failed or restarting, in one line. */
  lastError: string | undefined;
  readonly stderr = new StderrTail();

  private client: Client | undefined;
  private reconnecting: Promise<void> | undefined;
  private consecutiveRestarts = 0;
  private closing = false;
  private readonly logger: Logger;
  private readonly connectTimeoutMs: number;
  private readonly callTimeoutMs: number;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly options: ConnectionOptions = {},
  ) {
    this.logger = (options.logger ?? noopLogger).child({ server: name });
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.callTimeoutMs = config.timeoutMs ?? options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  }

  /** The server's process id while a stdio server runs. */
  get pid(): number | undefined {
    const transport = this.client?.transport;
    return transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  }

  /** Connects and lists tools. Throws `ServerStartError` naming the server, its command and its stderr tail. */
  async connect(): Promise<void> {
    this.state = 'connecting';
    try {
      await this.open();
      this.state = 'ready';
      this.lastError = undefined;
    } catch (error) {
      this.state = 'failed';
      const tail = this.stderr.text();
      this.lastError = errorMessage(error);
      throw new ServerStartError(
        this.name,
        `MCP server '${this.name}' (${describeTarget(this.config)}) failed to start: ${this.lastError}` +
          (tail ? `\n  stderr: ${tail.replaceAll('\n', '\n          ')}` : ''),
        tail,
        { cause: error },
      );
    }
  }

  private async open(): Promise<void> {
    const timeout = AbortSignal.timeout(this.connectTimeoutMs);
    const client = this.createClient();
    const connectOnce = async (transport: Parameters<Client['connect']>[0]) => {
      await raceAbort(client.connect(transport, { signal: timeout, timeout: this.connectTimeoutMs }), timeout, () =>
        transport.close(),
      );
    };
    if (isStdio(this.config)) {
      await connectOnce(this.createStdioTransport(this.config));
    } else {
      await this.connectHttp(client, this.config, connectOnce);
    }
    this.client = client;
    client.onclose = () => this.handleClose(client);
    await this.refreshTools();
  }

  private createClient(): Client {
    return new Client(this.options.clientInfo ?? { name: 'deckhand', version: '0.1.0' }, {
      capabilities: {},
      listChanged: {
        tools: {
          onChanged: (error) => {
            if (error) {
              this.logger.warn({ error: errorMessage(error) }, 'tool list refresh failed');
              return;
            }
            void this.refreshTools().catch((refreshError) =>
              this.logger.warn({ error: errorMessage(refreshError) }, 'tool list refresh failed'),
            );
          },
        },
      },
    });
  }

  private createStdioTransport(config: StdioServerConfig): StdioClientTransport {
    const transport = new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: { ...getDefaultEnvironment(), ...config.env },
      ...(config.cwd ? { cwd: config.cwd } : {}),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    return transport;
  }

  private async connectHttp(
    client: Client,
    config: HttpServerConfig,
    connectOnce: (transport: Parameters<Client['connect']>[0]) => Promise<void>,
  ): Promise<void> {
    const url = new URL(config.url);
    const requestInit = { headers: config.headers };
    if (config.type === 'sse') {
      await connectOnce(new SSEClientTransport(url, { requestInit }));
      return;
    }
    try {
      await connectOnce(new StreamableHTTPClientTransport(url, { requestInit }));
    } catch (error) {
      // Servers from before the 2025-03-26 revision only speak HTTP+SSE; the spec's backwards-compatibility
      // rule is to try Streamable HTTP first and fall back when the POST is refused.
      if (config.type !== undefined) throw error;
      this.logger.info({ error: errorMessage(error) }, 'Streamable HTTP refused; trying legacy SSE');
      await client.close().catch(() => {});
      await connectOnce(new SSEClientTransport(url, { requestInit }));
    }
  }

  /** Re-reads the tool list from the server. */
  async refreshTools(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (!client.getServerCapabilities()?.tools) {
      this.tools = [];
      return;
    }
    const { tools } = await client.listTools();
    this.tools = tools.map((tool) => ({
      server: this.name,
      name: tool.name,
      description: tool.description ?? tool.title ?? '',
      inputSchema: tool.inputSchema as Record<string, unknown>,
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema as Record<string, unknown> } : {}),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    }));
    this.options.onToolsChanged?.(this);
  }

  /** The connected SDK client, for features beyond tools (resources, prompts, ping). */
  get sdkClient(): Client | undefined {
    return this.client;
  }

  /**
   * Calls one tool. Resolves with the server's result, including `isError` results. Rejects with
   * `ServerCallError` when the server could not answer, or with the signal's reason when aborted.
   */
  async callTool(
    tool: string,
    args: Record<string, unknown>,
    options: { signal?: AbortSignal; timeoutMs?: number; onProgress?: (progress: number, total?: number) => void } = {},
  ): Promise<CallToolResult> {
    if (this.state === 'restarting' && this.reconnecting) {
      await raceAbort(this.reconnecting, options.signal);
    }
    const client = this.client;
    if (this.state !== 'ready' || !client) {
      throw new ServerCallError(
        `server '${this.name}' is not available (${this.state}${this.lastError ? `: ${this.lastError}` : ''})`,
        'unavailable',
      );
    }
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    try {
      const result = await client.callTool(
        { name: tool, arguments: args },
        {
          timeout: timeoutMs,
          resetTimeoutOnProgress: true,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress
            ? { onprogress: (progress: { progress: number; total?: number }) => options.onProgress?.(progress.progress, progress.total) }
            : {}),
        },
      );
      this.consecutiveRestarts = 0;
      return result as CallToolResult;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw this.classifyCallError(error, timeoutMs);
    }
  }

  private classifyCallError(error: unknown, timeoutMs: number): ServerCallError {
    const message = errorMessage(error);
    if (this.state === 'restarting' || this.state === 'failed' || /connection closed/i.test(message)) {
      const tail = this.stderr.text(3);
      return new ServerCallError(
        `server '${this.name}' stopped during the call${tail ? ` (stderr: ${tail})` : ''}; it is being restarted, so the call can be retried`,
        'crashed',
      );
    }
    if (/timed? ?out/i.test(message)) {
      return new ServerCallError(`server '${this.name}' did not answer within ${timeoutMs} ms`, 'timeout');
    }
    return new ServerCallError(`server '${this.name}': ${message}`, 'protocol');
  }

  private handleClose(client: Client): void {
    if (this.closing || client !== this.client) return;
    this.client = undefined;
    this.lastError = `exited${this.stderr.text(1) ? `: ${this.stderr.text(1)}` : ''}`;
    this.logger.warn({ error: this.lastError }, 'server connection closed');
    if (this.consecutiveRestarts >= MAX_CONSECUTIVE_RESTARTS) {
      this.state = 'failed';
      this.lastError = `gave up after ${MAX_CONSECUTIVE_RESTARTS} restarts; last: ${this.lastError}`;
      return;
    }
    this.state = 'restarting';
    this.reconnecting = this.restart().finally(() => {
      this.reconnecting = undefined;
    });
  }

  private async restart(): Promise<void> {
    while (!this.closing && this.consecutiveRestarts < MAX_CONSECUTIVE_RESTARTS) {
      const backoffMs = RESTART_BACKOFF_MS[this.consecutiveRestarts] ?? 5_000;
      this.consecutiveRestarts += 1;
      await delay(backoffMs);
      if (this.closing) return;
      try {
        await this.open();
        this.state = 'ready';
        this.logger.info({ attempt: this.consecutiveRestarts }, 'server restarted');
        return;
      } catch (error) {
        this.lastError = errorMessage(error);
        this.logger.warn({ error: this.lastError, attempt: this.consecutiveRestarts }, 'restart failed');
      }
    }
    if (!this.closing) this.state = 'failed';
  }

  async close(): Promise<void> {
    this.closing = true;
    this.state = 'closed';
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Awaits `promise`, rejecting early when `signal` aborts (and running `onAbort` to release resources). */
async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => unknown): Promise<T> {
  const merged = mergeSignals(signal);
  if (!merged) return promise;
  if (merged.aborted) {
    await onAbort?.();
    throw merged.reason;
  }
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      void Promise.resolve(onAbort?.()).catch(() => {});
      reject(merged.reason instanceof Error && merged.reason.name === 'TimeoutError' ? new Error('timed out') : merged.reason);
    };
    merged.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (listener) merged.removeEventListener('abort', listener);
  }
}
