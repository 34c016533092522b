/**
 * Traces and logs of a real `deckhand run` process: spans exported over OTLP/HTTP to a collector on 127.0.0.1
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set, JSON log lines in $DECKHAND_HOME/logs, and no secret in either.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

const API_KEY = 'sk-secret-cli-7a6b5c4d3e2f1a0b';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** An OTLP/HTTP collector: keeps every body posted to /v1/traces. */
async function startCollector(): Promise<{ url: string; bodies: Array<{ contentType: string | undefined; body: string }> }> {
  const bodies: Array<{ contentType: string | undefined; body: string }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') bodies.push({ contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** OTLP span kinds (opentelemetry-proto `Span.SpanKind`). */
const OTLP_KIND_SERVER = 2;
const OTLP_KIND_CLIENT = 3;

interface ExportedSpan {
  readonly service: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
}

/** The spans of one OTLP/HTTP JSON body, with the `service.name` of their resource. */
function spansOf(body: string): ExportedSpan[] {
  type Attribute = { key: string; value: { stringValue?: string } };
  type Body = { resourceSpans?: Array<{ resource?: { attributes?: Attribute[] }; scopeSpans?: Array<{ spans?: Array<Omit<ExportedSpan, 'service'>> }> }> };
  const parsed = JSON.parse(body) as Body;
  return (parsed.resourceSpans ?? []).flatMap((resource) => {
    const service = resource.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue;
    return (resource.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({ service, name: span.name, kind: span.kind, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId })),
    );
  });
}

describe('deckhand run with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports the run, model-call and tool-call spans (and the server side of each tool call), logs each call to $DECKHAND_HOME/logs, and leaks no key', async () => {
    const fake: FakeProvider<unknown> = await startOpenAIFake([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }], usage: { inputTokens: 100, outputTokens: 10 } },
      { text: 'Her email is lisa.park@example.com.', usage: { inputTokens: 150, outputTokens: 12 } },
    ]);
    cleanups.push(() => fake.close());
    const collector = await startCollector();
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home, { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: `${fake.url}/v1`, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const result = await runCli(['run', 'What is the email of the customer of XYZ-789?', '--model', 'openai:gpt-4.1-mini'], { env, cwd });
    expect(result.code, result.stderr).toBe(0);

    expect(collector.bodies.length).toBeGreaterThan(0);
    const exported = collector.bodies.map((entry) => entry.body).join('\n');
    expect(collector.bodies[0]!.contentType).toMatch(/json/);
    expect(exported).toContain('"invoke_agent deckhand"');
    expect(exported).toContain('"chat openai:gpt-4.1-mini"');
    expect(exported).toContain('"tools/call getCustomerEmail"');
    for (const key of ['gen_ai.usage.input_tokens', 'gen_ai.provider.name', 'mcp.method.name', 'gen_ai.conversation.id']) expect(exported).toContain(`"${key}"`);
    expect(exported).not.toContain(API_KEY);

    // The crm server (a stdio child) continued the trace: its SERVER span of the call is a child of the host's.
    const spans = collector.bodies.flatMap((entry) => spansOf(entry.body));
    const hostCall = spans.find((span) => span.name === 'tools/call getCustomerEmail' && span.kind === OTLP_KIND_CLIENT)!;
    const serverCall = spans.find((span) => span.name === 'tools/call getCustomerEmail' && span.kind === OTLP_KIND_SERVER);
    expect(hostCall).toBeDefined();
    expect(serverCall, 'the server exported its span').toMatchObject({ service: 'deckhand-crm', traceId: hostCall.traceId, parentSpanId: hostCall.spanId });

    const logs = join(home, 'logs');
    expect(existsSync(logs)).toBe(true);
    const lines = readdirSync(logs).flatMap((file) => readFileSync(join(logs, file), 'utf8').split('\n').filter(Boolean));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.filter((line) => line.msg === 'model call')).toHaveLength(2);
    expect(parsed.find((line) => line.msg === 'tool call')).toMatchObject({ server: 'crm', tool: 'getCustomerEmail', outcome: 'ok', runId: expect.any(String), sessionId: expect.any(String) });
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  it('without the variable exports nothing and logs to stderr only when DECKHAND_LOG_LEVEL is set', async () => {
    const fake: FakeProvider<unknown> = await startOpenAIFake([{ text: 'done', usage: { inputTokens: 5, outputTokens: 1 } }, { text: 'done', usage: { inputTokens: 5, outputTokens: 1 } }]);
    cleanups.push(() => fake.close());
    const { home, cwd } = freshWorkspace();
    const quiet = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini'], { env: cliEnv(home, { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: `${fake.url}/v1` }), cwd });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('"msg":"model call"');
    const verbose = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini'], {
      env: cliEnv(home, { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_LOG_LEVEL: 'info' }),
      cwd,
    });
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toContain('"msg":"model call"');
    expect(verbose.stderr).not.toContain(API_KEY);
  });
});
