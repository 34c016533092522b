import { VERSION } from '../shared/package-info.js';
import { createPainter, formatDuration } from './format.js';
import { OFFLINE_NOTE, type Runtime } from '../app/runtime.js';

/** Prints the settings a run uses: model (and where it came from), data location, servers and their tools. */
export function printHeader(runtime: Runtime, out: NodeJS.WriteStream, err: NodeJS.WriteStream): void {
  const paint = createPainter(out);
  const { settings, model, host } = runtime;
  const modelNote = model.provider === 'offline' ? `  ${paint('yellow', `(${OFFLINE_NOTE})`)}` : paint('gray', `  (from ${settings.modelSource})`);
  const servers = host
    .status()
    .map((server) =>
      server.state === 'ready'
        ? `${server.name} ${paint('green', '✓')} ${server.tools.length} tool${server.tools.length === 1 ? '' : 's'}`
        : `${server.name} ${paint('red', '✗')}`,
    )
    .join(' · ');
  out.write(`${paint('bold', `Deckhand ${VERSION}`)}\n`);
  out.write(`  model    ${model.id}${modelNote}\n`);
  out.write(`  data     ${runtime.store.location}${settings.configFile ? paint('gray', `  (config ${settings.configFile})`) : ''}\n`);
  out.write(`  servers  ${servers || 'none'} ${paint('gray', `(started in ${formatDuration(runtime.serversStartMs)})`)}\n`);
  for (const failure of host.failures()) {
    err.write(`${paint('red', 'warning:')} MCP server '${failure.name}' failed to start: ${failure.error}\n`);
  }
}
