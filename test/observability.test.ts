/**
 * Logs, traces, metrics and the tool cache, asserted from what they produce: spans from an in-memory exporter,
 * metrics from `/metrics`, log lines from the rotated files, rows from the store. The host drives the real
 * `@ai-sdk/openai` provider against the wire fake and a real built-in server over Streamable HTTP.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/contracts/index.js';
import { type RunContext, startRun } from '../src/agent/durable-run.js';
import { ApprovalConfigSchema } from '../src/config/schema.js';
import type { ApiContext } from '../src/http/context.js';
import { metricsRoutes } from '../src/http/routes/metrics.js';
import { McpHost } from '../src/mcp/host.js';
import { ToolCache } from '../src/mcp/tool-cache.js';
import { loadPriceRegistry, PriceBook, ResilientModel, resolveModel } from '../src/models/index.js';
import { serveBuiltinHttp } from '../src/servers/serve-http.js';
import { openLogger } from '../src/shared/logger.js';
import { openStore } from '../src/store/database.js';
import { HostMetrics } from '../src/telemetry/metrics.js';
import { startServerTracing } from '../src/servers/shared/tracing.js';
import { startTracing } from '../src/telemetry/tracing.js';
import { type OpenAIRequest, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';

const API_KEY = 'sk-secret-0f3a9c1d7e5b2468';
const SERVER_TOKEN = 'tok-secret-9d8c7b6a5f4e3d21';
const READ = { name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function linesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean));
}

async function setUp() {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-observability-'));
  const dbFile = join(root, 'deckhand.db');
  const serverLines: Array<Record<string, unknown>> = [];
  const serverLogger = {
    debug: () => {},
    info: (fields: Record<string, unknown>, message: string) => serverLines.push({ ...fields, message }),
    warn: () => {},
    error: () => {},
    child() {
      return serverLogger;
    },
  };
  const serverExporter = new InMemorySpanExporter();
  const serverTracing = (await startServerTracing({ name: 'crm', env: {}, exporter: serverExporter }))!;
  const crm = await serveBuiltinHttp({ name: 'crm', dbFile, port: 0, logger: serverLogger, tracing: serverTracing });
  cleanups.push(() => crm.close());
  const fake: FakeProvider<OpenAIRequest> = await startOpenAIFake([
    { text: 'Looking up the customer.', toolCalls: [READ], usage: { inputTokens: 1_000, outputTokens: 20, cachedInputTokens: 200 } },
    { toolCalls: [READ], usage: { inputTokens: 1_100, outputTokens: 10 } },
    // Not read-only: whatever it does, the server's cached reads are dropped.
    { toolCalls: [{ name: 'crm__update_customer', args: { customer_id: 'C-NOPE', phone: '555' } }], usage: { inputTokens: 1_200, outputTokens: 10 } },
    { toolCalls: [READ], usage: { inputTokens: 1_300, outputTokens: 10 } },
    { text: 'unreached: the third identical read stops the run', usage: { inputTokens: 1, outputTokens: 1 } },
  ]);
  cleanups.push(() => fake.close());
  const store = await openStore({ file: dbFile });
  cleanups.push(() => store.close());
  const host = await McpHost.start({
    servers: { crm: { url: crm.url, headers: { Authorization: `Bearer ${SERVER_TOKEN}` }, trusted: true } },
    toolCache: new ToolCache({ ttlMs: 60_000 }),
    isTrusted: (server) => server === 'crm',
  });
  cleanups.push(() => host.close());
  const exporter = new InMemorySpanExporter();
  const tracing = (await startTracing({ exporter }))!;
  const metrics = new HostMetrics();
  const logDir = join(root, 'logs');
  const logger = await openLogger({ level: 'debug', dir: logDir, secrets: [API_KEY, SERVER_TOKEN] });
  cleanups.push(async () => logger.close());
  const model = new ResilientModel(resolveModel('openai:gpt-4.1-mini', { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: `${fake.url}/v1` }));
  const context: RunContext = {
    store,
    model,
    pricing: new PriceBook({ registry: await loadPriceRegistry() }),
    tools: host,
    approval: ApprovalConfigSchema.parse({}),
    isTrusted: (server) => server === 'crm',
    telemetry: { tracer: tracing.tracer, metrics, logger, mcpSessionId: (server) => host.connection(server)?.sessionId },
  };
  return { context, exporter, serverExporter, metrics, logDir, serverLines, crmUrl: crm.url, store, fake, logger };
}

async function collect(run: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
}

describe('one run, observed', () => {
  it('caches reads, stops the runaway, and leaves spans, metrics and logs that carry no secret', async () => {
    const setup = await setUp();
    const events = await collect(startRun(setup.context, { task: 'Email the customer of XYZ-789', runId: 'R-obs', settings: { model: 'openai:gpt-4.1-mini', yes: true } }));
    const end = events.at(-1)!;

    // The cache: the second read was a hit; the update cleared it; the read after went to the server again.
    expect(events.filter((event) => event.type === 'tool-result' && event.tool === 'getCustomerEmail').map((event) => (event as { cache?: string }).cache)).toEqual([
      'miss',
      'hit',
      'miss',
    ]);
    expect(end).toMatchObject({ type: 'run-end', outcome: 'failed', totals: { cacheHits: 1, cacheMisses: 2, cachedInputTokens: 200 } });
    expect((end as { error: string }).error).toMatch(/^Stopped: crm\.getCustomerEmail was called 3 times with the same arguments/);
    const served = await (await fetch(setup.crmUrl.replace(/\/mcp$/, '/metrics'))).text();
    expect(served).toMatch(/deckhand_mcp_tool_calls_total\{server="crm",tool="getCustomerEmail",outcome="ok"\} 2/);

    // Traces: a run span, a chat span per model call, a tools/call span per tool call, all in one trace.
    const spans = setup.exporter.getFinishedSpans();
    const run = spans.find((span) => span.name === 'invoke_agent deckhand')!;
    expect(run.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': expect.any(String), 'deckhand.run.id': 'R-obs', 'deckhand.outcome': 'failed' });
    const chats = spans.filter((span) => span.name === 'chat openai:gpt-4.1-mini');
    expect(chats).toHaveLength(4);
    expect(chats[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'openai:gpt-4.1-mini',
      'gen_ai.usage.input_tokens': 1_000,
      'gen_ai.usage.output_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 200,
    });
    const tools = spans.filter((span) => span.attributes['mcp.method.name'] === 'tools/call');
    expect(tools.map((span) => span.attributes['gen_ai.tool.name'])).toEqual(['getCustomerEmail', 'getCustomerEmail', 'update_customer', 'getCustomerEmail']);
    expect(tools.map((span) => span.attributes['deckhand.cache'])).toEqual(['miss', 'hit', undefined, 'miss']);
    for (const span of [...chats, ...tools]) {
      expect(span.spanContext().traceId).toBe(run.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    }
    expect(run.events.map((event) => event.name)).toContain('approval_response');

    // The server continued the trace: its log line of each call that reached it names the host's trace.
    const reached = setup.serverLines.filter((line) => line.message === 'tool call');
    expect(reached).toHaveLength(3);
    for (const line of reached) expect(line.traceId).toBe(run.spanContext().traceId);

    // … and made a span of its own for each, a child of the host's tool span, in the same MCP session.
    const sessionId = reached[0]!.sessionId;
    expect(sessionId).toEqual(expect.any(String));
    for (const span of tools) expect(span.attributes['mcp.session.id']).toBe(sessionId);
    const serverSpans = setup.serverExporter.getFinishedSpans();
    expect(serverSpans.map((span) => span.name)).toEqual(['tools/call getCustomerEmail', 'tools/call update_customer', 'tools/call getCustomerEmail']);
    const reachedTools = tools.filter((span) => span.attributes['deckhand.cache'] !== 'hit');
    serverSpans.forEach((span, index) => {
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.resource.attributes['service.name']).toBe('deckhand-crm');
      expect(span.attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'mcp.session.id': sessionId });
      expect(span.spanContext().traceId).toBe(run.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(reachedTools[index]!.spanContext().spanId);
    });

    // Metrics, as /metrics serves them.
    const app = Fastify();
    metricsRoutes(app, { runtime: { telemetry: { metrics: setup.metrics }, store: setup.store } } as unknown as ApiContext);
    const scraped = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.headers['content-type']).toMatch(/^text\/plain/);
    expect(scraped.body).toMatch(/deckhand_runs_total\{outcome="failed"\} 1/);
    expect(scraped.body).toMatch(/deckhand_model_call_duration_seconds_count\{model="openai:gpt-4\.1-mini",kind="step"\} 4/);
    expect(scraped.body).toMatch(/deckhand_model_tokens_total\{model="openai:gpt-4\.1-mini",type="input"\} 4600/);
    expect(scraped.body).toMatch(/deckhand_model_tokens_total\{model="openai:gpt-4\.1-mini",type="cached_input"\} 200/);
    expect(scraped.body).toMatch(/deckhand_tool_cache_total\{result="hit"\} 1/);
    expect(scraped.body).toMatch(/deckhand_tool_cache_total\{result="miss"\} 2/);
    expect(scraped.body).toMatch(/deckhand_tool_call_duration_seconds_count\{server="crm",tool="update_customer",outcome="(ok|error)"\} 1/);
    expect(scraped.body).toMatch(/deckhand_approvals_pending 0/);
    await app.close();

    // Logs: one line per model call and per tool call, with the run and session ids.
    setup.logger.info({ note: `the key is ${API_KEY}`, headers: { authorization: `Bearer ${SERVER_TOKEN}` } }, 'a careless line');
    const lines = linesOf(setup.logDir).map((line) => JSON.parse(line) as Record<string, unknown>);
    const modelCalls = lines.filter((line) => line.msg === 'model call');
    expect(modelCalls).toHaveLength(4);
    expect(modelCalls[0]).toMatchObject({ runId: 'R-obs', sessionId: expect.any(String), provider: 'openai', model: 'openai:gpt-4.1-mini', inputTokens: 1_000, outcome: 'ok', retries: 0 });
    expect(lines.filter((line) => line.msg === 'tool call').map((line) => line.cacheHit)).toEqual([false, true, false, false]);

    // No configured secret anywhere: log files, span attributes and events, stored rows.
    const everything = [
      ...linesOf(setup.logDir),
      JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status }))),
      ...(await Promise.all(
        ['runs', 'run_events', 'model_calls', 'session_messages', 'sessions', 'approvals', 'audit_log'].map(async (table) =>
          JSON.stringify(await setup.store.db.selectFrom(table as 'runs').selectAll().execute()),
        ),
      )),
    ].join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(SERVER_TOKEN);
  });
});
