import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { addConfiguredServer, listConfiguredServers, removeConfiguredServer } from '../../config/edit-config.js';
import { configFilePath } from '../../config/load.js';
import { UsageError } from '../../shared/errors.js';

/** The file `mcp add|list|remove` edit: `--config FILE`, else the one commands read, else `$DECKHAND_HOME/config.json`. */
function targetFile(): string {
  // Not through loadSettings: editing must work while the file still names an unset ${VAR} or is otherwise
  // not loadable yet; each entry written is validated on its own.
  const home = resolve(process.env.DECKHAND_HOME || join(homedir(), '.deckhand'));
  return configFilePath(process.cwd(), home, process.env.DECKHAND_CONFIG) ?? join(home, 'config.json');
}

export interface McpAddOptions {
  readonly env?: readonly string[];
  readonly header?: readonly string[];
  readonly transport?: 'stdio' | 'http' | 'sse';
  readonly replace?: boolean;
}

function pairs(values: readonly string[] | undefined, separator: RegExp, what: string, example: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const match = separator.exec(value);
    if (!match || match.index === 0) throw new UsageError(`${what} "${value}" is not ${example}.`);
    result[value.slice(0, match.index).trim()] = value.slice(match.index + match[0].length).trim();
  }
  return result;
}

/**
 * `deckhand mcp add <name> <commandOrUrl> [args...]`: a stdio server (`command` + `args`, `--env KEY=VALUE`)
 * or, for an http(s) URL, a remote one (`--header "Name: value"`, `--transport sse`), as `claude mcp add` does.
 */
export function mcpAddCommand(name: string, target: string, args: readonly string[], options: McpAddOptions): number {
  const remote = options.transport === 'http' || options.transport === 'sse' || /^https?:\/\//i.test(target);
  if (remote && args.length > 0) throw new UsageError(`A remote server takes no arguments after its URL (got ${args.join(' ')}).`);
  if (!remote && options.header?.length) throw new UsageError('--header is for remote (http) servers; a stdio server gets --env KEY=VALUE.');
  const server: Record<string, unknown> = remote
    ? {
        ...(options.transport === 'sse' ? { type: 'sse' } : {}),
        url: target,
        ...(options.header?.length ? { headers: pairs(options.header, /:/, '--header', '"Name: value"') } : {}),
      }
    : { command: target, args: [...args], ...(options.env?.length ? { env: pairs(options.env, /=/, '--env', 'KEY=VALUE') } : {}) };
  const file = targetFile();
  addConfiguredServer({ file, name, server, ...(options.replace ? { replace: true } : {}) });
  process.stdout.write(`Added ${remote ? 'remote' : 'stdio'} MCP server '${name}' to ${file}.\n`);
  return 0;
}

/** `deckhand mcp list [--json]`: the servers in the config file, as written. */
export function mcpListCommand(options: { json?: boolean }): number {
  const file = targetFile();
  const servers = listConfiguredServers(file);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ file, mcpServers: servers }, null, 2)}\n`);
    return 0;
  }
  const names = Object.keys(servers);
  if (names.length === 0) process.stdout.write(`No MCP servers configured in ${file} (the built-in ones run by default).\n`);
  for (const name of names) {
    const server = servers[name] as { url?: unknown; command?: unknown; args?: unknown };
    const target = typeof server.url === 'string' ? server.url : [server.command, ...(Array.isArray(server.args) ? server.args : [])].join(' ');
    process.stdout.write(`${name}  ${target}\n`);
  }
  return 0;
}

/** `deckhand mcp remove <name>`: exit 1 when it is not configured. */
export function mcpRemoveCommand(name: string): number {
  const file = targetFile();
  if (!removeConfiguredServer(file, name)) {
    process.stderr.write(`deckhand: no MCP server '${name}' in ${file}; see \`deckhand mcp list\`.\n`);
    return 1;
  }
  process.stdout.write(`Removed MCP server '${name}' from ${file}.\n`);
  return 0;
}
