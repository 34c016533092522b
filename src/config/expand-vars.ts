/**
 * @module `${VAR}` in a configured MCP server's `url`, `headers`, `env` and `args`, filled in from the
 * environment (and `.env`), as Claude Code does; `${VAR:-default}` gives a fallback.
 */
import { ConfigError } from '../shared/errors.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const EXPANDED_FIELDS = ['url', 'headers', 'env', 'args'] as const;

/** `text` with every `${VAR}` replaced; throws `ConfigError` naming `file`, `key` and the unset variable. */
export function expandReferences(text: string, env: Readonly<Record<string, string | undefined>>, where: { file: string; key: string }): string {
  return text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(where.file, where.key, `\${${name}} is not set: export ${name}=… (or put it in .env), or write \${${name}:-default}`);
  });
}

/**
 * Expands `${VAR}` in the `url`, `headers`, `env` and `args` of every server under `mcpServers` in a parsed
 * (not yet validated) config file. Values that are not strings are left for the schema to reject.
 */
export function expandServerReferences(raw: unknown, env: Readonly<Record<string, string | undefined>>, file: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const servers = (raw as Record<string, unknown>).mcpServers;
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers)) return raw;
  const expanded: Record<string, unknown> = {};
  for (const [name, server] of Object.entries(servers)) {
    if (server === null || typeof server !== 'object' || Array.isArray(server)) {
      expanded[name] = server;
      continue;
    }
    const copy: Record<string, unknown> = { ...(server as Record<string, unknown>) };
    for (const field of EXPANDED_FIELDS) {
      const value = copy[field];
      const key = `mcpServers.${name}.${field}`;
      if (typeof value === 'string') copy[field] = expandReferences(value, env, { file, key });
      else if (Array.isArray(value)) {
        copy[field] = value.map((item: unknown, index) => (typeof item === 'string' ? expandReferences(item, env, { file, key: `${key}.${index}` }) : item));
      } else if (value !== null && typeof value === 'object') {
        copy[field] = Object.fromEntries(
          Object.entries(value).map(([entry, item]) => [entry, typeof item === 'string' ? expandReferences(item, env, { file, key: `${key}.${entry}` }) : item]),
        );
      }
    }
    expanded[name] = copy;
  }
  return { ...(raw as Record<string, unknown>), mcpServers: expanded };
}

/**
 * Expands `${VAR}` in every string under `providers` (base URLs, header values, Azure resource names…) of a parsed,
 * not yet validated, config file, so a gateway's token can stay in the environment.
 */
export function expandProviderReferences(raw: unknown, env: Readonly<Record<string, string | undefined>>, file: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const providers = (raw as Record<string, unknown>).providers;
  if (providers === null || typeof providers !== 'object' || Array.isArray(providers)) return raw;
  return { ...(raw as Record<string, unknown>), providers: expandStrings(providers, env, file, 'providers') };
}

function expandStrings(value: unknown, env: Readonly<Record<string, string | undefined>>, file: string, key: string): unknown {
  if (typeof value === 'string') return expandReferences(value, env, { file, key });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, expandStrings(item, env, file, `${key}.${name}`)]));
}
