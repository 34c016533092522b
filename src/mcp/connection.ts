import type {
  CallToolResult,
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  Tool,
  Transport,
} from '@modelcontextprotocol/client';
import {
  Client,
  SdkError,
  SdkErrorCode,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { HttpServerConfig, McpServerConfig, StdioServerConfig } from '../config/schema.js';
import { delay, mergeSignals } from '../shared/abort.js';
import { errorMessage, ServerStartError } from '../shared/errors.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import type { OAuthProvider } from './oauth.js';
import { StderrTail } from './stderr-tail.js';
import { redactUrl, redactUrlsIn } from '../shared/redact.js';
import { ProcessGroupStdioTransport } from './process-group.js';

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

/**
 * Answers a server's `elicitation/create` request (a question for the user). Resolve with `accept` and the
 * content, `decline` or `cancel`; `options.signal` aborts when the server cancels the request.
 */
export type ElicitationHandler = (
  request: ElicitRequest['params'],
  options: { readonly server: string; readonly signal: AbortSignal },
) => Promise<ElicitResult>;

/**
 * Answers a server's `sampling/createMessage` request (a completion from the host's model). Throw to refuse;
 * `options.signal` aborts when the server cancels the request.
 */
export type SamplingHandler = (
  request: CreateMessageRequest['params'],
  options: { readonly server: string; readonly signal: AbortSignal },
) => Promise<CreateMessageResult>;

export interface ConnectionOptions {
  readonly logger?: Logger;
  readonly connectTimeoutMs?: number;
  readonly callTimeoutMs?: number;
  readonly clientInfo?: { name: string; version: string };
  /** Called after the server's tool list changed (`notifications/tools/list_changed`) or it was re-listed after a restart. */
  readonly onToolsChanged?: (connection: ServerConnection) => void;
  /**
   * Answers elicitation requests. Only when it is given does the client declare the `elicitation` capability
   * (form mode, with `applyDefaults`: schema defaults fill fields an accepted answer leaves out, SEP-1034).
   */
  readonly elicitation?: ElicitationHandler;
  /** Answers sampling requests. Only when it is given does the client declare the `sampling` capability. */
  readonly sampling?: SamplingHandler;
  /** OAuth client for an HTTP server that requires authorization; ignored for stdio servers. */
  readonly oauth?: OAuthProvider;
}

/** Options of the request methods: a caller's signal and a timeout that replaces the server's call timeout. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface CallToolOptions extends RequestOptions {
  /** Called for each progress notification the server sends for this call; each one also restarts the timeout. */
  readonly onProgress?: (progress: number, total?: number) => void;
  /** The request's `_meta` (the W3C trace context, so our servers continue the trace). */
  readonly meta?: Readonly<Record<string, string>>;
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

/** The server's command line or URL, for people and logs: a URL's password and token parameters are redacted. */
export function describeTarget(config: McpServerConfig): string {
  return isStdio(config) ? [config.command, ...config.args].join(' ') : redactUrl(config.url);
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

  /** The server's process id while a stdio server runs. */
  get pid(): number | undefined {
    const transport = this.client?.transport;
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
    const client = isStdio(this.config)
      ? await connectWith(this.createStdioTransport(this.config))
      : await this.connectHttp(this.config, connectWith);
    this.client = client;
    client.onclose = () => this.handleClose(client);
    try {
      await this.withAuthorization(client, () => this.refreshTools(client));
    } catch (error) {
      // Connected but unusable: stop the process (or session) instead of leaving it running behind a failed state.
      this.client = undefined;
      await client.close().catch(() => {});
      throw error;
    }
  }

  private createClient(): Client {
    const { elicitation, sampling } = this.options;
    const client = new Client(this.options.clientInfo ?? { name: 'deckhand', version: '0.1.0' }, {
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

  private createStdioTransport(config: StdioServerConfig): StdioClientTransport {
    // In a process group of its own, killed whole when the transport closes (see process-group.ts).
    const transport = new ProcessGroupStdioTransport({
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
    config: HttpServerConfig,
    connectWith: (transport: Transport) => Promise<Client>,
  ): Promise<Client> {
    const url = new URL(config.url);
    const options = {
      requestInit: { headers: config.headers },
      ...(this.options.oauth ? { authProvider: this.options.oauth } : {}),
    };
    if (config.type === 'sse') {
      return this.connectAuthorized(() => new SSEClientTransport(url, options), connectWith);
    }
    try {
      return await this.connectAuthorized(() => new StreamableHTTPClientTransport(url, options), connectWith);
    } catch (error) {
      // Servers from before the 2025-03-26 revision only speak HTTP+SSE; the spec's backwards-compatibility
      // rule is to try Streamable HTTP first and fall back when the POST is refused. A refused authorization
      // is an answer from a Streamable HTTP server, not a sign of an old one.
      if (config.type !== undefined || error instanceof UnauthorizedError) throw error;
      this.logger.info({ error: errorMessage(error) }, 'Streamable HTTP refused; trying legacy SSE');
      return this.connectAuthorized(() => new SSEClientTransport(url, options), connectWith);
    }
  }

  /** Connects; when the server demands authorization first, completes it and connects again on a new transport. */
  private async connectAuthorized(
    createTransport: () => StreamableHTTPClientTransport | SSEClientTransport,
    connectWith: (transport: Transport) => Promise<Client>,
  ): Promise<Client> {
    const transport = createTransport();
    try {
      return await connectWith(transport);
    } catch (error) {
      const authorization = this.pendingAuthorization(error);
      if (!authorization) throw error;
      await transport.finishAuth(await authorization);
      return connectWith(createTransport());
    }
  }

  /** The authorization the SDK started while `error` happened, when the error asks for one. */
  private pendingAuthorization(error: unknown): Promise<URLSearchParams> | undefined {
    if (!this.options.oauth || !(error instanceof UnauthorizedError)) return undefined;
    return this.options.oauth.takeAuthorizationResponse();
  }

  /**
   * Runs `operation`; when the server asks for (more) authorization mid-session, e.g. a 403 `insufficient_scope`
   * step-up, redeems the authorization the SDK started and runs it once more.
   */
  private async withAuthorization<T>(client: Client, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const authorization = this.pendingAuthorization(error);
      const transport = client.transport;
      const authorizable =
        transport instanceof StreamableHTTPClientTransport || transport instanceof SSEClientTransport;
      if (!authorization || !authorizable) throw error;
      await transport.finishAuth(await authorization);
      return operation();
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
              onprogress: ({ progress, total }) => {
                if (this.answers === 0) clock.start();
                onProgress?.(progress, total);
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
      return await this.withAuthorization(client, () => operation(client, requestOptions));
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (clock?.signal.aborted) throw new ServerCallError(`server '${this.name}' did not answer within ${timeoutMs} ms`, 'timeout');
      throw this.classifyCallError(error, timeoutMs);
    }
  }

  private classifyCallError(error: unknown, timeoutMs: number): ServerCallError {
    const message = errorMessage(error);
    const closed = error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed;
    if (closed || this.state === 'restarting' || this.state === 'failed') {
      const tail = this.stderr.text(3);
      const next = isStdio(this.config)
        ? 'it is being restarted, so the call can be retried'
        : 'the call can be retried once it is reachable again';
      return new ServerCallError(
        `server '${this.name}' stopped during the call${tail ? ` (stderr: ${tail})` : ''}; ${next}`,
        'crashed',
      );
    }
    if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
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

/** The longest delay `setTimeout` takes (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A call's timeout that can stop and start over: see `ServerConnection.answering`. */
class CallClock {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Aborts when the time runs out. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts the full timeout over. */
  start(): void {
    this.stop();
    this.timer = setTimeout(() => this.controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** One line saying why a server did not start, with the fix for the common causes. */
function describeStartFailure(config: McpServerConfig, error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (isStdio(config) && code === 'ENOENT') {
    return `command '${config.command}' was not found; check the path or install it (${errorMessage(error)})`;
  }
  if (isStdio(config) && code === 'EACCES') {
    return `command '${config.command}' is not executable (${errorMessage(error)})`;
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed) {
    return 'the server exited before completing the MCP handshake';
  }
  return errorMessage(error);
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
      reject(
        merged.reason instanceof Error && merged.reason.name === 'TimeoutError'
          ? new Error('timed out')
          : merged.reason,
      );
    };
    merged.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (listener) merged.removeEventListener('abort', listener);
  }
}
