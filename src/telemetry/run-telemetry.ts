/**
 * @module Observes one run's event stream and turns it into what operations teams read: a span per run, model call
 * and tool call (OpenTelemetry GenAI and MCP semantic conventions) with approvals, retries, fallbacks and budget
 * refusals as span events; Prometheus metrics; and one structured log line per model call and tool call, bound to the
 * run and session ids. It reads only events, so the loop knows nothing of it.
 */
import { type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { RunEvent } from '../contracts/index.js';
import type { Logger } from '../shared/logger.js';
import type { HostMetrics, ModelSeries } from './metrics.js';
import type { HistogramSeries } from './summed-series.js';
import { injectTraceContext } from './tracing.js';

/** What a run's telemetry writes to; each part is optional. */
export interface TelemetrySinks {
  readonly tracer?: Tracer | undefined;
  readonly metrics?: HostMetrics | undefined;
  readonly logger?: Logger | undefined;
  /** The MCP session id of a server's connection (Streamable HTTP), for `mcp.session.id` on tool spans. */
  readonly mcpSessionId?: ((server: string) => string | undefined) | undefined;
}

/** `provider` of a `provider:model` id. */
function providerOf(modelId: string): string {
  const separator = modelId.indexOf(':');
  return separator < 0 ? modelId : modelId.slice(0, separator);
}

/** The telemetry of one run (see the module comment). */
export class RunTelemetry {
  private runSpan: Span | undefined;
  /** The run span's context, made once: every model and tool span is its child. */
  private runContext: Context | undefined;
  private modelSpan: Span | undefined;
  private readonly toolSpans = new Map<string, Span>();
  private logger: Logger | undefined;
  private model = 'unknown';
  private retries = 0;
  /** The series of the last model call and tool call: a run repeats the same ones, so most steps look nothing up. */
  private lastModel: { model: string; kind: string; series: ModelSeries } | undefined;
  private lastTool: { server: string; tool: string; failed: boolean; series: HistogramSeries } | undefined;

  constructor(private readonly sinks: TelemetrySinks) {
    this.logger = sinks.logger;
  }

  /**
   * The W3C trace context of a tool call's span, for the MCP request's `_meta`; undefined with tracing off. The span
   * is started here when the call's `tool-call` event has not been observed yet: events are observed once stored,
   * and a read that changes nothing may run before its step is (see RunRecorder's barriers).
   */
  traceContext(toolCallId: string, call?: { readonly server: string; readonly tool: string }): Record<string, string> | undefined {
    const span = this.toolSpans.get(toolCallId) ?? (call ? this.startToolSpan(toolCallId, call.server, call.tool, Date.now()) : undefined);
    return span ? injectTraceContext(trace.setSpan(context.active(), span)) : undefined;
  }

  /** Starts the span of a tool call, once: undefined with tracing off. */
  private startToolSpan(toolCallId: string, server: string, tool: string, at: number): Span | undefined {
    const { tracer } = this.sinks;
    if (!tracer) return undefined;
    const known = this.toolSpans.get(toolCallId);
    if (known) return known;
    const sessionId = this.sinks.mcpSessionId?.(server);
    const span = this.child(tracer, `tools/call ${tool}`, at, SpanKind.CLIENT, {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': tool,
      'gen_ai.tool.call.id': toolCallId,
      'mcp.method.name': 'tools/call',
      'deckhand.mcp.server': server,
      ...(sessionId ? { 'mcp.session.id': sessionId } : {}),
    });
    this.toolSpans.set(toolCallId, span);
    return span;
  }

  /** Follows one event of the run. Never throws. */
  observe(event: RunEvent): void {
    const { tracer, metrics } = this.sinks;
    switch (event.type) {
      case 'run-start':
        this.model = event.model;
        this.logger = this.sinks.logger?.child({ runId: event.runId, sessionId: event.sessionId });
        if (!tracer) return;
        this.runSpan = tracer.startSpan(
          'invoke_agent deckhand',
          {
            kind: SpanKind.INTERNAL,
            startTime: event.at,
            attributes: {
              'gen_ai.operation.name': 'invoke_agent',
              'gen_ai.agent.name': 'deckhand',
              'gen_ai.conversation.id': event.sessionId,
              'gen_ai.request.model': event.model,
              'deckhand.run.id': event.runId,
              ...(event.budgetUsd !== null ? { 'deckhand.budget.usd': event.budgetUsd } : {}),
            },
          },
        );
        this.runContext = trace.setSpan(context.active(), this.runSpan);
        return;
      case 'step-start':
        this.retries = 0;
        // Attributes are built only when there is a tracer to take them: with tracing off a step makes nothing.
        if (tracer) {
          this.modelSpan = this.child(tracer, `chat ${this.model}`, event.at, SpanKind.CLIENT, {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': providerOf(this.model),
            'gen_ai.request.model': this.model,
            'deckhand.step': event.step,
          });
        }
        return;
      case 'model-retry':
        this.retries += 1;
        metrics?.retries.inc({ model: event.model });
        this.modelSpan?.addEvent('retry', { attempt: event.attempt, 'deckhand.delay_ms': event.delayMs, 'error.message': event.error }, event.at);
        this.logger?.warn({ model: event.model, attempt: event.attempt, delayMs: event.delayMs, error: event.error }, 'model call retried');
        return;
      case 'model-fallback':
        metrics?.fallbacks.inc({ from: event.from, to: event.to });
        this.modelSpan?.addEvent('fallback', { 'deckhand.from': event.from, 'deckhand.to': event.to, 'error.message': event.error }, event.at);
        this.runSpan?.addEvent('fallback', { 'deckhand.from': event.from, 'deckhand.to': event.to }, event.at);
        this.logger?.warn({ from: event.from, to: event.to, error: event.error }, 'switched to the fallback model');
        return;
      case 'usage': {
        const model = event.model ?? this.model;
        const kind = event.kind ?? 'step';
        const seconds = (event.durationMs ?? 0) / 1_000;
        if (metrics) {
          const last = this.lastModel;
          const series = last && last.model === model && last.kind === kind ? last.series : metrics.model(model, kind);
          if (series !== last?.series) this.lastModel = { model, kind, series };
          series.seconds.observe(seconds);
          series.input.add(event.usage.inputTokens);
          series.output.add(event.usage.outputTokens);
          if (event.usage.cachedInputTokens) series.cachedInput.add(event.usage.cachedInputTokens);
          if (event.usage.reasoningTokens) series.reasoning.add(event.usage.reasoningTokens);
          series.costUsd.add(event.costUsd);
        }
        if (tracer) this.traceUsage(tracer, event, model, kind);
        this.logger?.info(
          {
            kind,
            provider: providerOf(model),
            model,
            durationMs: event.durationMs,
            inputTokens: event.usage.inputTokens,
            cachedInputTokens: event.usage.cachedInputTokens ?? 0,
            outputTokens: event.usage.outputTokens,
            reasoningTokens: event.usage.reasoningTokens ?? 0,
            costUsd: event.costUsd,
            outcome: 'ok',
            retries: kind === 'step' ? this.retries : 0,
          },
          'model call',
        );
        return;
      }
      case 'tool-call':
        this.startToolSpan(event.toolCallId, event.server, event.tool, event.at);
        return;
      case 'tool-result':
      case 'tool-error': {
        const failed = event.type === 'tool-error';
        const cacheHit = event.type === 'tool-result' && event.cache === 'hit';
        if (event.type === 'tool-result' && event.cache) metrics?.toolCache.inc({ result: event.cache });
        if (metrics) {
          const last = this.lastTool;
          const series = last && last.server === event.server && last.tool === event.tool && last.failed === failed ? last.series : metrics.tool(event.server, event.tool, failed ? 'error' : 'ok');
          if (series !== last?.series) this.lastTool = { server: event.server, tool: event.tool, failed, series };
          series.observe(event.durationMs / 1_000);
        }
        const span = tracer ? this.toolSpans.get(event.toolCallId) : undefined;
        if (span) {
          if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error });
          if (event.type === 'tool-result' && event.cache) span.setAttribute('deckhand.cache', event.cache);
          span.end(event.at);
          this.toolSpans.delete(event.toolCallId);
        }
        this.logger?.info(
          { server: event.server, tool: event.tool, durationMs: event.durationMs, outcome: failed ? 'error' : 'ok', cacheHit },
          'tool call',
        );
        return;
      }
      case 'approval-request':
        this.runSpan?.addEvent('approval_request', { 'deckhand.approval.id': event.approvalId, 'deckhand.kind': event.kind, 'gen_ai.tool.name': event.tool }, event.at);
        return;
      case 'approval-response':
        this.runSpan?.addEvent('approval_response', { 'deckhand.decision': event.decision, 'deckhand.by': event.by }, event.at);
        return;
      case 'warning':
        this.runSpan?.addEvent('warning', { message: event.message }, event.at);
        this.logger?.warn({ message: event.message }, 'run warning');
        return;
      case 'run-end': {
        metrics?.runs.inc({ outcome: event.outcome });
        const breach = event.outcome === 'budget-exhausted' ? /budget exhausted: (run|session|day) (\w+)/i.exec(event.text) : null;
        if (breach) {
          metrics?.budgetRefusals.inc({ scope: breach[1]!.toLowerCase(), dimension: breach[2]! });
          this.runSpan?.addEvent('budget_refusal', { 'deckhand.reason': event.text }, event.at);
        }
        for (const span of this.toolSpans.values()) span.end(event.at);
        this.toolSpans.clear();
        this.modelSpan?.end(event.at);
        if (this.runSpan) {
          this.runSpan.setAttributes({
            'deckhand.outcome': event.outcome,
            'deckhand.cost_usd': event.totals.costUsd,
            'gen_ai.usage.input_tokens': event.totals.inputTokens,
            'gen_ai.usage.output_tokens': event.totals.outputTokens,
          });
          if (event.outcome === 'failed') this.runSpan.setStatus({ code: SpanStatusCode.ERROR, message: event.error ?? event.text });
          this.runSpan.end(event.at);
        }
        this.logger?.info({ outcome: event.outcome, ...event.totals }, 'run ended');
        return;
      }
      default:
        return;
    }
  }

  /** The model call's attributes on its span (a sampling request gets a span of its own, already ended). */
  private traceUsage(tracer: Tracer, event: Extract<RunEvent, { type: 'usage' }>, model: string, kind: string): void {
    const attributes = {
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': event.usage.inputTokens,
      'gen_ai.usage.output_tokens': event.usage.outputTokens,
      ...(event.usage.cachedInputTokens ? { 'gen_ai.usage.cache_read.input_tokens': event.usage.cachedInputTokens } : {}),
      ...(event.usage.reasoningTokens ? { 'gen_ai.usage.reasoning.output_tokens': event.usage.reasoningTokens } : {}),
      'deckhand.cost_usd': event.costUsd,
    };
    if (kind === 'sampling') {
      const span = this.child(tracer, `chat ${model}`, event.at - (event.durationMs ?? 0), SpanKind.CLIENT, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': providerOf(model),
        'gen_ai.request.model': model,
        'deckhand.kind': 'sampling',
        ...attributes,
      });
      span.end(event.at);
      return;
    }
    this.modelSpan?.setAttributes(attributes);
    this.modelSpan?.end(event.at);
    this.modelSpan = undefined;
  }

  private child(tracer: Tracer, name: string, startTime: number, kind: SpanKind, attributes: Record<string, string | number>): Span {
    return tracer.startSpan(name, { kind, startTime, attributes }, this.runContext ?? context.active());
  }
}
