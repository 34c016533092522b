/**
 * @module Server-side spans of the built-in servers: one `tools/call <tool>` span (kind SERVER) per call, continuing
 * the host's trace from the request's `_meta.traceparent`, exported over OTLP/HTTP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Without it nothing is started and a call costs nothing more.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { extractTraceContext, startTracing, type Tracing } from '../../telemetry/tracing.js';
import type { ObservedToolCall } from './tool-call-logging.js';

/** Records the span of each answered tool call; flush it with `shutdown` before the process exits. */
export interface ServerTracing {
  /** The span of a call that has just been answered (it ends now and began `durationMs` ago). */
  record(call: ObservedToolCall, sessionId?: string): void;
  shutdown(): Promise<void>;
}

/**
 * Starts the tracing of built-in server `name` (`service.name` `deckhand-<name>`) when `env` has
 * `OTEL_EXPORTER_OTLP_ENDPOINT` or a test hands in an exporter; undefined (off) otherwise.
 */
export async function startServerTracing(options: {
  name: string;
  env: Readonly<Record<string, string | undefined>>;
  exporter?: SpanExporter;
}): Promise<ServerTracing | undefined> {
  const endpoint = options.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const tracing: Tracing | undefined = await startTracing({
    ...(options.exporter ? { exporter: options.exporter } : {}),
    ...(endpoint ? { endpoint } : {}),
    serviceName: `deckhand-${options.name}`,
  });
  if (!tracing) return undefined;
  return {
    record(call, sessionId) {
      const end = Date.now();
      const span = tracing.tracer.startSpan(
        `tools/call ${call.tool}`,
        {
          kind: SpanKind.SERVER,
          startTime: end - call.durationMs,
          attributes: {
            'mcp.method.name': 'tools/call',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': call.tool,
            'deckhand.mcp.server': options.name,
            ...(sessionId ? { 'mcp.session.id': sessionId } : {}),
          },
        },
        extractTraceContext(call.traceparent ? { traceparent: call.traceparent } : undefined),
      );
      if (call.isError) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(end);
    },
    shutdown: () => tracing.shutdown(),
  };
}
