/**
 * @module One MCP log notification per tool call, for the built-in servers, without touching their tool code.
 */
import type { JSONRPCMessage, LoggingLevel, McpServer, RequestId, Transport } from '@modelcontextprotocol/server';

/** Severity order of the MCP log levels (RFC 5424), least severe first. */
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** What the tool-call log line and `onToolCall` report: the tool, whether it failed, and how long it took. */
export interface ToolCallRecord {
  readonly tool: string;
  readonly isError: boolean;
  readonly durationMs: number;
}

/** A call as `onToolCall` sees it: the record, plus the W3C trace context the host sent in the request's `_meta`. */
export interface ObservedToolCall extends ToolCallRecord {
  readonly traceparent?: string;
}

export interface LogToolCallsOptions {
  /** A server already connected to `transport`. */
  readonly server: McpServer;
  readonly transport: Transport;
  /** The `logger` field of each notification: the server's name. */
  readonly logger: string;
  /** Also told about every call, whatever the client's level (e.g. for stderr logs). */
  readonly onToolCall?: (call: ObservedToolCall) => void;
}

const isLoggingLevel = (value: unknown): value is LoggingLevel => LEVELS.includes(value as LoggingLevel);

/**
 * Sends a `notifications/message` at `info` (`{ tool, isError, durationMs }`; never the arguments or the result)
 * just before the answer to every `tools/call`, once the client has asked for `info` or lower with
 * `logging/setLevel`. Before that it sends none: the spec leaves the default to the server, and a silent default
 * keeps clients that never asked free of noise.
 *
 * It observes the transport (incoming requests, outgoing answers) instead of wrapping each tool, so the
 * per-server folders stay about their domain; the notification itself goes through the server, tied to the
 * call's request so Streamable HTTP puts it on that call's stream. Call it right after `server.connect(transport)`.
 *
 * @throws Error when `server` is not connected to `transport` yet.
 */
export function logToolCalls(options: LogToolCallsOptions): void {
  const { server, transport, logger, onToolCall } = options;
  const receive = transport.onmessage;
  if (!receive || server.server.transport !== transport)
    throw new Error('logToolCalls: connect the server to the transport first.');
  const pending = new Map<RequestId, Pending>();
  let threshold: LoggingLevel | undefined;

  // Structural checks, not the SDK's schema guards: this runs on every message, and the transport has parsed them.
  transport.onmessage = (message, extra) => {
    if ('method' in message && 'id' in message) {
      if (message.method === 'tools/call') {
        const meta = message.params?._meta as { traceparent?: unknown } | undefined;
        pending.set(message.id, {
          tool: String(message.params?.name ?? ''),
          startedAt: performance.now(),
          ...(typeof meta?.traceparent === 'string' ? { traceparent: meta.traceparent } : {}),
        });
      } else if (message.method === 'logging/setLevel' && isLoggingLevel(message.params?.level)) {
        threshold = message.params.level;
      }
    }
    receive.call(transport, message, extra);
  };

  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage, sendOptions) => {
    const call = answeredCall(message, pending);
    if (call) {
      onToolCall?.(call.traceparent ? { ...call.record, traceparent: call.traceparent } : call.record);
      if (threshold !== undefined && LEVELS.indexOf('info') >= LEVELS.indexOf(threshold)) {
        // A log line must never cost the answer: a failed notification is dropped.
        await server.server
          .notification(
            { method: 'notifications/message', params: { level: 'info', logger, data: call.record } },
            { relatedRequestId: call.id },
          )
          .catch(() => {});
      }
    }
    return send(message, sendOptions);
  };
}

/** When `message` answers a pending `tools/call`: that call (removed from `pending`) and its record. */
interface Pending {
  readonly tool: string;
  readonly startedAt: number;
  readonly traceparent?: string;
}

function answeredCall(
  message: JSONRPCMessage,
  pending: Map<RequestId, Pending>,
): { id: RequestId; record: ToolCallRecord; traceparent?: string } | undefined {
  if (pending.size === 0 || 'method' in message || !('id' in message) || message.id === undefined) return undefined;
  const id = message.id;
  const started = pending.get(id);
  if (!started) return undefined;
  pending.delete(id);
  const isError = 'error' in message || ('result' in message && message.result.isError === true);
  const durationMs = Math.round((performance.now() - started.startedAt) * 10) / 10;
  return { id, record: { tool: started.tool, isError, durationMs }, ...(started.traceparent ? { traceparent: started.traceparent } : {}) };
}
