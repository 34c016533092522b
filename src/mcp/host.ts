import type { CallToolResult } from '@modelcontextprotocol/client';
import type { HintedToolExecutor, ToolAddress, ToolOutcome, ToolSpec } from '../contracts/index.js';
import type { HttpServerConfig, McpServerConfig } from '../config/schema.js';
import { errorMessage, ToolNotFoundError } from '../shared/errors.js';
import { getOwn } from '../shared/get-own.js';
import { type Logger, noopLogger } from '../shared/logger.js';
import { ServerCallError } from './call-errors.js';
import { ServerConnection } from './connection.js';
import type { ConnectionState, ElicitationHandler, SamplingHandler, ServerTool } from './connection-types.js';
import { describeTarget, isStdio } from './server-target.js';
import type { SharedServerProcess } from './shared-process.js';
import { type PrestartedServers, sharedProcessesOf } from './prestart.js';
import type { OAuthProvider } from './oauth.js';
import type { ToolCache } from './tool-cache.js';
import { toDisplayToolName, toModelToolName } from '../shared/tool-names.js';
import { redactUrlsIn } from '../shared/redact.js';

export interface McpHostOptions {
  readonly servers: Readonly<Record<string, McpServerConfig>>;
  readonly logger?: Logger;
  readonly connectTimeoutMs?: number;
  readonly callTimeoutMs?: number;
  /** Answers servers' elicitation requests; without it the host declares no elicitation capability. */
  readonly elicitation?: ElicitationHandler;
  /** Answers servers' sampling requests; without it the host declares no sampling capability. */
  readonly sampling?: SamplingHandler;
  /** The OAuth client for an HTTP server that requires authorization, or `undefined` for none. */
  readonly oauth?: (server: string, config: HttpServerConfig) => OAuthProvider | undefined;
  /** Called after the tool catalog changed: a server's `tools/list_changed`, or a restart that re-listed tools. */
  readonly onToolsChanged?: (host: McpHost) => void;
  /** Caches results of read-only tools of trusted servers (see `ToolCache`); without it nothing is cached. */
  readonly toolCache?: ToolCache;
  /** Whether a server's annotations are believed; only trusted servers' read-only tools are cached. Default: none. */
  readonly isTrusted?: (server: string) => boolean;
  /** Every progress notification of every call (`notifications/progress`), with the call it belongs to. */
  readonly onProgress?: (update: ToolProgress) => void;
  /** Shared server processes spawned beforehand for these `servers` (see `PrestartedServers`): the host takes and owns them. */
  readonly prestarted?: PrestartedServers;
}

/** One `notifications/progress` of a tool call in flight. */
export interface ToolProgress {
  readonly toolCallId: string;
  readonly server: string;
  readonly tool: string;
  /** Grows with every notification (the spec requires it); a fraction of `total` when that is given. */
  readonly progress: number;
  readonly total?: number;
  /** What the server says it is doing. */
  readonly message?: string;
}

/** Options of {@link McpHost.call}. */
export interface HostCallOptions {
  readonly signal?: AbortSignal;
  readonly toolCallId: string;
  /** Progress notifications the server sends for this call. */
  readonly onProgress?: (progress: number, total?: number, message?: string) => void;
  /**
   * Passed as the tool's `idempotency_key` argument when the tool declares one and the model left it out,
   * so a retried or resumed call never repeats a side effect.
   */
  readonly idempotencyKey?: string;
  /** The W3C trace context of the call's span, sent as the request's `_meta` (`traceparent`, `tracestate`). */
  readonly traceContext?: Readonly<Record<string, string>>;
}

export interface ServerStatus {
  readonly name: string;
  readonly state: ConnectionState;
  readonly target: string;
  readonly tools: readonly ServerTool[];
  readonly error?: string;
}

interface CatalogEntry {
  readonly address: ToolAddress;
  readonly connection: ServerConnection;
  readonly spec: ToolSpec;
}

/**
 * Connects to every configured MCP server in parallel and offers their tools as one namespaced catalog
 * (`server__tool` for models, `server.tool` for people). A server that fails to start is reported and
 * left out; the rest keep working. Tool calls never throw for tool or server failures: they come back
 * as `isError` outcomes the model can read and recover from.
 */
export class McpHost implements HintedToolExecutor, AsyncDisposable {
  private catalog: Record<string, CatalogEntry> = Object.create(null);
  private specList: readonly ToolSpec[] = [];

  private constructor(
    readonly connections: readonly ServerConnection[],
    private readonly sharedProcesses: readonly SharedServerProcess[],
    private readonly logger: Logger,
    private readonly cache: { readonly store: ToolCache; readonly isTrusted: (server: string) => boolean } | undefined,
    private readonly onProgress: ((update: ToolProgress) => void) | undefined,
  ) {}

  /** Starts every server at once and resolves when each has connected or failed. Never throws for a server. */
  static async start(options: McpHostOptions): Promise<McpHost> {
    const logger = options.logger ?? noopLogger;
    // Assigned once the connections exist; their tool-change callbacks, created first, read it later.
    // eslint-disable-next-line prefer-const
    let host: McpHost | undefined;
    const shared = options.prestarted?.take(options.servers) ?? sharedProcessesOf(options.servers);
    const connections = Object.entries(options.servers).map(([name, config]) => {
      const oauth = isStdio(config) ? undefined : options.oauth?.(name, config);
      const sharedProcess = shared.byServer.get(name);
      return new ServerConnection(name, config, {
        logger,
        ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
        ...(options.elicitation ? { elicitation: options.elicitation } : {}),
        ...(options.sampling ? { sampling: options.sampling } : {}),
        ...(oauth ? { oauth } : {}),
        ...(sharedProcess ? { sharedProcess } : {}),
        onToolsChanged: () => {
          if (!host) return;
          host.rebuildCatalog();
          options.onToolsChanged?.(host);
        },
      });
    });
    host = new McpHost(
      connections,
      shared.processes,
      logger,
      options.toolCache ? { store: options.toolCache, isTrusted: options.isTrusted ?? (() => false) } : undefined,
      options.onProgress,
    );
    await Promise.all(
      connections.map((connection) =>
        connection
          .connect()
          .catch((error) =>
            logger.warn({ server: connection.name, error: errorMessage(error) }, 'server failed to start'),
          ),
      ),
    );
    host.rebuildCatalog();
    return host;
  }

  /** Servers that failed (to start, or for good after crashing), with their command or URL and why. */
  failures(): Array<{ name: string; target: string; error: string }> {
    return this.connections
      .filter((connection) => connection.state === 'failed')
      .map((connection) => ({
        name: connection.name,
        target: describeTarget(connection.config),
        error: redactUrlsIn(connection.lastError ?? 'failed'),
      }));
  }

  status(): ServerStatus[] {
    return this.connections.map((connection) => ({
      name: connection.name,
      state: connection.state,
      target: describeTarget(connection.config),
      tools: connection.tools,
      ...(connection.lastError ? { error: redactUrlsIn(connection.lastError) } : {}),
    }));
  }

  connection(name: string): ServerConnection | undefined {
    return this.connections.find((connection) => connection.name === name);
  }

  specs(): readonly ToolSpec[] {
    return this.specList;
  }

  address(modelToolName: string): ToolAddress | undefined {
    return getOwn(this.catalog, modelToolName)?.address;
  }

  /** The tool's MCP annotations as its server declared them (whether to believe them is the policy's call). */
  hints(modelToolName: string): ToolSpec['annotations'] {
    return getOwn(this.catalog, modelToolName)?.spec.annotations;
  }

  private rebuildCatalog(): void {
    const catalog: Record<string, CatalogEntry> = Object.create(null);
    for (const connection of this.connections) {
      for (const tool of connection.tools) {
        const modelName = toModelToolName(connection.name, tool.name);
        catalog[modelName] = {
          address: { server: connection.name, tool: tool.name },
          connection,
          spec: {
            name: modelName,
            description: tool.description,
            inputSchema: tool.inputSchema,
            ...(tool.annotations ? { annotations: tool.annotations } : {}),
          },
        };
      }
    }
    this.catalog = catalog;
    this.specList = Object.values(catalog).map((entry) => entry.spec);
    this.logger.debug({ tools: this.specList.length }, 'tool catalog rebuilt');
  }

  /**
   * Calls a tool by its model-facing name. Never throws for a tool or server failure: an unknown tool, a
   * crashed or unreachable server and a tool's own error all come back as `isError` outcomes. Throws only the
   * signal's reason when `options.signal` aborts.
   */
  async call(modelToolName: string, input: Record<string, unknown>, options: HostCallOptions): Promise<ToolOutcome> {
    const entry = getOwn(this.catalog, modelToolName);
    if (!entry) {
      const error = new ToolNotFoundError(modelToolName, Object.keys(this.catalog));
      return { isError: true, text: error.message };
    }
    const { server, tool } = entry.address;
    // Only a trusted server's read-only tools are cached; any other call there may change what its reads return.
    const cacheable = this.cache !== undefined && entry.spec.annotations?.readOnlyHint === true && this.cache.isTrusted(server);
    if (this.cache && cacheable) {
      const hit = this.cache.store.get(server, tool, input);
      if (hit) return { ...hit, cache: 'hit' };
    } else this.cache?.store.invalidate(server);
    const hostProgress = this.onProgress;
    const onProgress =
      options.onProgress || hostProgress
        ? (progress: number, total?: number, message?: string) => {
            options.onProgress?.(progress, total, message);
            hostProgress?.({
              toolCallId: options.toolCallId,
              server,
              tool,
              progress,
              ...(total !== undefined ? { total } : {}),
              ...(message !== undefined ? { message } : {}),
            });
          }
        : undefined;
    try {
      const result = await entry.connection.callTool(tool, withIdempotencyKey(entry.spec, input, options.idempotencyKey), {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(onProgress ? { onProgress } : {}),
        ...(options.traceContext ? { meta: options.traceContext } : {}),
      });
      const outcome = toOutcome(result);
      if (!this.cache) return outcome;
      if (!cacheable) {
        // Reads that ran while this call did may have cached what it just changed.
        this.cache.store.invalidate(server);
        return outcome;
      }
      this.cache.store.set(server, tool, input, outcome);
      return { ...outcome, cache: 'miss' };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const display = toDisplayToolName(entry.address.server, entry.address.tool);
      if (error instanceof ServerCallError) return { isError: true, text: `${display} failed: ${error.message}` };
      return { isError: true, text: `${display} failed: ${errorMessage(error)}` };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.close()));
    await Promise.all(this.sharedProcesses.map((process) => process.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Turns an MCP tool result into what the model reads: its text content, else its structured content as JSON. */
export function toOutcome(result: CallToolResult): ToolOutcome {
  const texts: string[] = [];
  for (const block of result.content ?? []) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'resource_link') texts.push(`[resource ${block.uri}]`);
    else if (block.type === 'resource')
      texts.push('text' in block.resource ? block.resource.text : `[resource ${block.resource.uri}]`);
    else texts.push(`[${block.type} content]`);
  }
  const structured = result.structuredContent;
  let text = texts.join('\n');
  if (!text && structured !== undefined) text = JSON.stringify(structured);
  return {
    isError: result.isError === true,
    text: text || (result.isError ? 'The tool reported an error without a message.' : '(no output)'),
    ...(structured !== undefined ? { structured } : {}),
  };
}

/** Adds `idempotency_key` to the arguments when the tool accepts one and none was given. */
function withIdempotencyKey(spec: ToolSpec, input: Record<string, unknown>, key: string | undefined): Record<string, unknown> {
  if (key === undefined || input.idempotency_key !== undefined) return input;
  const properties = spec.inputSchema.properties;
  if (typeof properties !== 'object' || properties === null || !Object.hasOwn(properties, 'idempotency_key')) return input;
  return { ...input, idempotency_key: key };
}
