/**
 * @module OpenTelemetry tracing of the host. Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set (or a test hands in an
 * exporter): then no provider exists and no span is ever made, so it costs nothing. On, spans go through a batch
 * processor to the OTLP/HTTP exporter. No global state is registered: the tracer is passed to whoever makes spans.
 */
import { type Context, context, type TextMapGetter, type TextMapSetter, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { BatchSpanProcessor, SimpleSpanProcessor, SpanExporter } from '@opentelemetry/sdk-trace';
import { VERSION } from '../shared/package-info.js';

/** A tracer and how to flush it at exit. */
export interface Tracing {
  readonly tracer: Tracer;
  shutdown(): Promise<void>;
}

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: spans are posted to `${endpoint}/v1/traces`. */
  readonly endpoint?: string | undefined;
  /** An exporter of one's own (tests: `InMemorySpanExporter`); spans are exported as each ends. */
  readonly exporter?: SpanExporter;
  /** `service.name`; default `deckhand`. */
  readonly serviceName?: string;
}

/** Starts tracing when an endpoint or exporter is given; undefined (tracing off, zero cost) otherwise. */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  if (!options.exporter && !options.endpoint) return undefined;
  // The SDK is imported only with tracing on: every runtime (each `deckhand run`) imports this module.
  const [{ resourceFromAttributes }, { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider }] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]);
  let processor: SimpleSpanProcessor | BatchSpanProcessor;
  if (options.exporter) processor = new SimpleSpanProcessor({ exporter: options.exporter });
  else {
    // Loaded only when tracing is on: the exporter pulls in the OTLP serialisers.
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }) });
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'deckhand', 'service.version': VERSION }),
    spanProcessors: [processor],
  });
  return { tracer: provider.getTracer('deckhand', VERSION), shutdown: () => provider.shutdown() };
}

const propagator = new W3CTraceContextPropagator();
const setter: TextMapSetter<Record<string, string>> = { set: (carrier, key, value) => void (carrier[key] = value) };
const getter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (typeof carrier[key] === 'string' ? (carrier[key] as string) : undefined),
};

/** The W3C trace context of `ctx` as `{ traceparent, tracestate? }`, for an MCP request's `_meta`. */
export function injectTraceContext(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, setter);
  return carrier;
}

/** The context a request's `_meta.traceparent` (and `tracestate`) continues; the root context without one. */
export function extractTraceContext(meta: Record<string, unknown> | undefined): Context {
  if (!meta || typeof meta.traceparent !== 'string') return context.active();
  return propagator.extract(context.active(), meta, getter);
}

export { trace };
