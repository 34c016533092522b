/**
 * @module One built-in server on one byte stream pair (stdin and stdout, or a socket of a shared process): the
 * SDK's stdio transport behind the message size limit, tool-call logging and the server's own tracing.
 */
import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { limitMessageSize, MAX_MESSAGE_BYTES, oversizedMessageError } from './message-size-limit.js';
import { logToolCalls } from './shared/tool-call-logging.js';
import { startServerTracing } from './shared/tracing.js';

/**
 * Serves `server` (named `name`) on `input` and `output` until `input` ends. A message over
 * {@link MAX_MESSAGE_BYTES} (4 MiB) gets a JSON-RPC error (-32600) and the server keeps serving. Lines for people
 * go to stderr, each starting with `deckhand <name> server:` (a shared process's host routes them by that).
 */
export async function serveOnStream(options: {
  name: string;
  server: McpServer;
  input: Readable;
  output: Writable;
  /** Where `OTEL_EXPORTER_OTLP_ENDPOINT` is read. */
  env: Readonly<Record<string, string | undefined>>;
}): Promise<void> {
  const { name, server, output } = options;
  // Oversized messages are answered here and never reach the SDK's buffer, whose overflow would close the connection.
  const input = options.input.pipe(
    limitMessageSize({
      onOversized: (id, bytes) => {
        process.stderr.write(`deckhand ${name} server: refused a ${bytes}-byte message (limit ${MAX_MESSAGE_BYTES})\n`);
        if (id !== null) output.write(oversizedMessageError(id, bytes));
      },
    }),
  );
  const transport = new StdioServerTransport(input, output, { maxBufferSize: 2 * MAX_MESSAGE_BYTES + 1024 * 1024 });
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  const tracing = await startServerTracing({ name, env: options.env });
  await server.connect(transport);
  logToolCalls({ server, transport, logger: name, ...(tracing ? { onToolCall: (call) => tracing.record(call) } : {}) });
  options.input.on('end', () => void server.close());
  await closed;
  // The host waits for a server to exit after closing its stdin: time to hand the last spans to the collector.
  await tracing?.shutdown().catch(() => {});
}
