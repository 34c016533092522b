import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { dataDirError } from './fs-errors.js';
import { redactUrlsIn } from './redact.js';

/** The logging surface the code depends on; inject it, never import a global. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => {};

/** A logger that drops everything: the default wherever none is injected. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * A pino logger writing JSON lines to `file` (created with its folder), or to stderr when `file` is omitted.
 * stdout is never used: the CLI owns it, and an MCP stdio server speaks JSON-RPC on it.
 * @throws UsageError when the log folder cannot be created (a file in the way, not writable).
 */
export function createLogger(options: { level: LogLevel; file?: string; name?: string }): Logger {
  let destination: NodeJS.WritableStream = process.stderr;
  if (options.file) {
    try {
      mkdirSync(dirname(options.file), { recursive: true });
    } catch (error) {
      // The logs live in the data dir: a data dir that is a file or read-only is the operator's to fix.
      throw dataDirError(error, dirname(dirname(options.file))) ?? error;
    }
    destination = createWriteStream(options.file, { flags: 'a' });
  }
  return pino(
    {
      level: options.level,
      name: options.name ?? 'deckhand',
      base: { pid: process.pid },
      // A URL in a log line (a server's, an error quoting one) never carries its password or token parameters.
      formatters: { log: redactFields },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactUrlsIn(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** The log fields with URLs in their string values (one level of nesting deep) redacted. */
function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') redacted[key] = redactUrlsIn(value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Error)) {
      redacted[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, typeof inner === 'string' ? redactUrlsIn(inner) : inner]));
    } else redacted[key] = value;
  }
  return redacted;
}
