/**
 * @module Prometheus metrics of a built-in MCP server served over Streamable HTTP (`deckhand mcp <name> --http`):
 * tool calls by tool and outcome, their latency, and the open sessions. Served at `/metrics` beside `/mcp`.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ToolCallRecord } from './tool-call-logging.js';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics of one MCP server process. */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly calls: Counter<'server' | 'tool' | 'outcome'>;
  private readonly latency: Histogram<'server' | 'tool'>;
  readonly sessions: Gauge;

  constructor(private readonly server: string) {
    this.calls = new Counter({ name: 'deckhand_mcp_tool_calls_total', help: 'Tool calls answered, by tool and outcome.', labelNames: ['server', 'tool', 'outcome'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'deckhand_mcp_tool_call_duration_seconds',
      help: 'Tool call latency inside the server, by tool.',
      labelNames: ['server', 'tool'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.sessions = new Gauge({ name: 'deckhand_mcp_sessions', help: 'Open MCP sessions.', registers: [this.registry] });
  }

  /** Counts one answered call. */
  record(call: ToolCallRecord): void {
    this.calls.inc({ server: this.server, tool: call.tool, outcome: call.isError ? 'error' : 'ok' });
    this.latency.observe({ server: this.server, tool: call.tool }, call.durationMs / 1_000);
  }

  /** The `/metrics` response. */
  async response(): Promise<Response> {
    return new Response(await this.registry.metrics(), { status: 200, headers: { 'content-type': this.registry.contentType } });
  }
}
