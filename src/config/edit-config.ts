/**
 * @module Editing the `mcpServers` block of a config file (`deckhand mcp add|list|remove`), keeping every
 * other key of the file as it is. Entries are validated with the same schema `loadSettings` uses.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../shared/errors.js';
import { type McpServerConfig, McpServerConfigSchema, ServerNameSchema } from './schema.js';

type RawConfig = Record<string, unknown> & { mcpServers?: Record<string, unknown> };

function readRaw(file: string): RawConfig {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, '(file)', `not valid JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, '(file)', 'a JSON object');
  const servers = (raw as RawConfig).mcpServers;
  if (servers !== undefined && (servers === null || typeof servers !== 'object' || Array.isArray(servers))) {
    throw new ConfigError(file, 'mcpServers', 'an object of servers by name');
  }
  return raw as RawConfig;
}

/** Writes through a temp file and a rename, so a crash never leaves half a config. */
function writeRaw(file: string, config: RawConfig): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(temp, file);
}

/** The servers configured in `file` (none when it does not exist), as written (`${VAR}` not expanded). */
export function listConfiguredServers(file: string): Record<string, unknown> {
  return { ...(readRaw(file).mcpServers ?? {}) };
}

/**
 * Adds (or, with `replace`, replaces) server `name` in `file`, creating the file when missing. Throws
 * `ConfigError` for a bad name or entry, or when `name` exists and `replace` is not set.
 */
export function addConfiguredServer(options: { file: string; name: string; server: Record<string, unknown>; replace?: boolean }): McpServerConfig {
  const { file, name } = options;
  const checkedName = ServerNameSchema.safeParse(name);
  if (!checkedName.success) throw new ConfigError('mcp add', 'name', checkedName.error.issues[0]!.message);
  const checked = McpServerConfigSchema.safeParse(options.server);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new ConfigError('mcp add', [name, ...issue.path].join('.'), issue.message);
  }
  const config = readRaw(file);
  const servers = { ...(config.mcpServers ?? {}) };
  if (Object.hasOwn(servers, name) && !options.replace) {
    throw new ConfigError(file, `mcpServers.${name}`, `a new name: '${name}' is already configured (remove it first, or pass --replace)`);
  }
  servers[name] = options.server;
  writeRaw(file, { ...config, mcpServers: servers });
  return checked.data;
}

/** Removes server `name` from `file`; false when it was not there. */
export function removeConfiguredServer(file: string, name: string): boolean {
  const config = readRaw(file);
  const servers = { ...(config.mcpServers ?? {}) };
  if (!Object.hasOwn(servers, name)) return false;
  delete servers[name];
  writeRaw(file, { ...config, mcpServers: servers });
  return true;
}
