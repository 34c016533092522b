import { toModelToolName } from '../../shared/tool-names.js';
import { createPainter } from '../format.js';
import { openRuntime } from '../../app/runtime.js';
import { EXIT } from '../exit-codes.js';

/**
 * `deckhand servers`: starts every configured server and lists it with its status and tools. Exits 1 when a
 * configured server failed to start (the others are still listed).
 */
export async function serversCommand(options: { json?: boolean }): Promise<number> {
  await using runtime = await openRuntime({ model: 'offline' });
  const status = runtime.host.status();
  if (options.json) {
    const document = status.map((server) => ({
      name: server.name,
      state: server.state,
      target: server.target,
      error: server.error ?? null,
      tools: server.tools.map((tool) => ({
        name: tool.name,
        modelName: toModelToolName(server.name, tool.name),
        description: tool.description,
        annotations: tool.annotations ?? {},
      })),
    }));
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return exitFor(status);
  }
  const paint = createPainter(process.stdout);
  for (const server of status) {
    const mark = server.state === 'ready' ? paint('green', '✓ ready') : paint('red', `✗ ${server.state}`);
    process.stdout.write(`${paint('bold', server.name)}  ${mark}  ${paint('gray', server.target)}\n`);
    if (server.error) process.stdout.write(`  ${paint('red', server.error)}\n`);
    for (const tool of server.tools) {
      const hints = tool.annotations?.readOnlyHint ? 'read-only' : 'side effects';
      process.stdout.write(`  ${server.name}.${tool.name}  ${paint('gray', `[${hints}]`)} ${tool.description}\n`);
    }
  }
  return exitFor(status);
}

function exitFor(status: ReadonlyArray<{ readonly state: string }>): number {
  return status.every((server) => server.state === 'ready') ? EXIT.ok : EXIT.failed;
}
