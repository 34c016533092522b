/**
 * @module One MCP server connection's life: connect, keep the tool list fresh, run requests with their timeouts and
 * the caller's signal, answer the server's own requests, restart a crashed stdio server. The parts it uses each have
 * a file: how a server is reached (`transports.ts`), OAuth on a live connection (`authorization.ts`), the call
 * timeout (`call-clock.ts`), failure wording (`call-errors.ts`, `server-target.ts`), restart waits (`restart-policy.ts`).
 */
import type { Socket } from 'node:net';
import type { CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool, Transport } from '@modelcontextprotocol/client';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpServerConfig } from '../config/schema.js';
import { delay, mergeSignals, raceAbort } from '../shared/abort.js';
import { errorMessage, ServerStartError } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { VERSION } from '../shared/package-info.js';
import { redactUrlsIn } from '../shared/redact.js';
import { withAuthorization } from './authorization.js';
import { CallClock, MAX_TIMER_MS } from './call-clock.js';
import { classifyCallError, ServerCallError, timeoutError } from './call-errors.js';
import {
  type CallToolOptions,
  type ConnectionOptions,
  type ConnectionState,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type RequestOptions,
  type ServerTool,
} from './connection-types.js';
import { MAX_CONSECUTIVE_RESTARTS, restartBackoffMs } from './restart-policy.js';
import { SocketClientTransport } from './socket-transport.js';
import { describeStartFailure, describeTarget, isStdio } from './server-target.js';
import { StderrTail } from './stderr-tail.js';
import { connectHttp, createStdioTransport } from './transports.js';

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
  private readonly callClocks = new Set<CallClock>();
  /** Server requests (elicitation, sampling) the host is answering right now. */
  private answers = 0;
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

  /** The server's process id while a stdio server runs (for a member of a shared process, that process's). */
  get pid(): number | undefined {
    const transport = this.client?.transport;
    if (transport instanceof SocketClientTransport) return transport.pid;
    return transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  }

  /** The MCP session id of a Streamable HTTP connection (`Mcp-Session-Id`); undefined over stdio or before one is given. */
  get sessionId(): string | undefined {
    const transport = this.client?.transport;
    return transport instanceof StreamableHTTPClientTransport ? transport.sessionId : undefined;
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
      const reason = redactUrlsIn(describeStartFailure(this.config, error));
      const tail = this.stderr.text();
      this.lastError = tail ? `${reason} (stderr: ${this.stderr.text(3).replaceAll('\n', ' | ')})` : reason;
      throw new ServerStartError(
        this.name,
        `MCP server '${this.name}' (${describeTarget(this.config)}) failed to start: ${reason}` +
          (tail ? `\n  stderr: ${tail.replaceAll('\n', '\n          ')}` : ''),
        tail,
        { cause: error },
      );
    }
  }

  private async open(): Promise<void> {
    const timeout = AbortSignal.timeout(this.connectTimeoutMs);
    const connectWith = async (transport: Transport): Promise<Client> => {
      const client = this.createClient();
      await raceAbort(client.connect(transport, { signal: timeout, timeout: this.connectTimeoutMs }), timeout, () =>
        transport.close(),
      );
      return client;
    };
    const onStderr = (chunk: Buffer | string) => this.stderr.push(chunk);
    const shared = this.options.sharedProcess;
    const client = isStdio(this.config)
      ? await connectWith(shared ? socketTransport(shared.takeSocket(this.name, onStderr)) : createStdioTransport(this.config, onStderr))
      : await connectHttp({ server: this.name, config: this.config, oauth: this.options.oauth, connectWith, logger: this.logger });
    this.client = client;
    client.onclose = () => this.handleClose(client);
    try {
      await withAuthorization(this.options.oauth, client, () => this.refreshTools(client));
    } catch (error) {
      // Connected but unusable: stop the process (or session) instead of leaving it running behind a failed state.
      this.client = undefined;
      await client.close().catch(() => {});
      throw error;
    }
  }

  private createClient(): Client {
    const { elicitation, sampling } = this.options;
    const client = new Client(this.options.clientInfo ?? { name: 'deckhand', version: VERSION }, {
      capabilities: {
        ...(elicitation ? { elicitation: { form: { applyDefaults: true } } } : {}),
        ...(sampling ? { sampling: {} } : {}),
      },
      listChanged: {
        tools: {
          // The SDK re-lists the tools itself (debounced) and hands over the new list: use it, don't list twice.
          onChanged: (error, tools) => {
            if (error) {
              this.logger.warn({ error: errorMessage(error) }, 'tool list refresh failed');
              return;
            }
            if (tools && client === this.client) this.setTools(tools);
          },
        },
      },
    });
    if (elicitation) {
      client.setRequestHandler('elicitation/create', (request, context) =>
        this.answering(() => elicitation(request.params, { server: this.name, signal: context.mcpReq.signal })),
      );
    }
    if (sampling) {
      client.setRequestHandler('sampling/createMessage', (request, context) =>
        this.answering(() => sampling(request.params, { server: this.name, signal: context.mcpReq.signal })),
      );
    }
    return client;
  }

  /**
   * Runs the host's answer to a server's request. Meanwhile the server's calls in flight are waiting on us (a
   * person, the model), not silent, so their timeouts stop, and start over once the last answer is sent.
   */
  private async answering<T>(work: () => Promise<T>): Promise<T> {
    if (this.answers++ === 0) for (const clock of this.callClocks) clock.stop();
    try {
      return await work();
    } finally {
      if (--this.answers === 0) for (const clock of this.callClocks) clock.start();
    }
  }

  /** Re-reads the tool list from the server. */
  async refreshTools(client = this.client): Promise<void> {
    if (!client) return;
    if (!client.getServerCapabilities()?.tools) {
      this.setTools([]);
      return;
    }
    const { tools } = await client.listTools();
    this.setTools(tools);
  }

  private setTools(tools: readonly Tool[]): void {
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
  async callTool(tool: string, args: Record<string, unknown>, options: CallToolOptions = {}): Promise<CallToolResult> {
    const { onProgress } = options;
    const clock = new CallClock(options.timeoutMs ?? this.callTimeoutMs);
    this.callClocks.add(clock);
    if (this.answers === 0) clock.start();
    try {
      const result = await this.request(
        options,
        (client, requestOptions) =>
          client.callTool(
            { name: tool, arguments: args, ...(options.meta ? { _meta: { ...options.meta } } : {}) },
            {
              ...requestOptions,
              onprogress: ({ progress, total, message }) => {
                if (this.answers === 0) clock.start();
                onProgress?.(progress, total, message);
              },
            },
          ),
        clock,
      );
      this.consecutiveRestarts = 0;
      return result as CallToolResult;
    } finally {
      clock.stop();
      this.callClocks.delete(clock);
    }
  }

  /** Every resource the server lists (all pages). Rejects like `callTool`. */
  async listResources(options: RequestOptions = {}): Promise<Resource[]> {
    const { resources } = await this.request(options, (client, requestOptions) =>
      client.listResources(undefined, requestOptions),
    );
    return resources;
  }

  /** Reads one resource by URI. Rejects like `callTool`. */
  readResource(uri: string, options: RequestOptions = {}): Promise<ReadResourceResult> {
    return this.request(options, (client, requestOptions) => client.readResource({ uri }, requestOptions));
  }

  /** Every prompt the server lists (all pages). Rejects like `callTool`. */
  async listPrompts(options: RequestOptions = {}): Promise<Prompt[]> {
    const { prompts } = await this.request(options, (client, requestOptions) =>
      client.listPrompts(undefined, requestOptions),
    );
    return prompts;
  }

  /** Renders one prompt with its arguments. Rejects like `callTool`. */
  getPrompt(name: string, args: Record<string, string> = {}, options: RequestOptions = {}): Promise<GetPromptResult> {
    return this.request(options, (client, requestOptions) =>
      client.getPrompt({ name, arguments: args }, requestOptions),
    );
  }

  /**
   * Runs one request against the live client: waits for a restart in progress, applies the timeout and the
   * caller's signal, completes a mid-session authorization, and turns failures into `ServerCallError`.
   */
  private async request<T>(
    options: RequestOptions,
    operation: (client: Client, requestOptions: { timeout: number; signal?: AbortSignal }) => Promise<T>,
    clock?: CallClock,
  ): Promise<T> {
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
    // With a clock, the clock is the timeout (it can stop); the SDK's own timer cannot, so it is left out.
    const signal = mergeSignals(options.signal, clock?.signal);
    const requestOptions = { timeout: clock ? MAX_TIMER_MS : timeoutMs, ...(signal ? { signal } : {}) };
    try {
      return await withAuthorization(this.options.oauth, client, () => operation(client, requestOptions));
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (clock?.signal.aborted) throw timeoutError(this.name, timeoutMs);
      throw classifyCallError({
        error,
        server: this.name,
        config: this.config,
        state: this.state,
        stderrTail: this.stderr.text(3),
        timeoutMs,
      });
    }
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
      const backoffMs = restartBackoffMs(this.consecutiveRestarts);
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

/** The client transport over a shared process's socket for one member. */
function socketTransport(taken: { readonly socket: Socket; readonly pid: number | undefined }): SocketClientTransport {
  return new SocketClientTransport(taken.socket, taken.pid);
}
