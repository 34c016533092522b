import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino, { type DestinationStream, type StreamEntry } from 'pino';
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

/** Field names whose values are never logged, wherever they appear (one level of nesting, and headers). */
export const REDACTED_PATHS = [
  'apiKey',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
];
const CENSOR = '[redacted]';

/** Options of {@link openLogger}. */
export interface OpenLoggerOptions {
  /** Level of the log files. */
  readonly level: LogLevel;
  /** Folder of the rotated JSON log files (`deckhand.N.log`, daily or at 10 MB, seven kept). */
  readonly dir?: string;
  /** Also log to stderr at this level (pretty when stderr is a terminal); default: not to stderr. */
  readonly stderrLevel?: LogLevel | undefined;
  readonly name?: string;
  /** Secret values (API keys, passwords, tokens) replaced by `[redacted]` in every line, whatever field holds them. */
  readonly secrets?: readonly string[];
}

/** A logger that can be flushed and closed. */
export interface ClosableLogger extends Logger {
  close(): void;
}

/**
 * A pino logger writing JSON lines to rotated files under `dir` and, when `stderrLevel` is given, to stderr.
 * Secrets are redacted twice over: by field name (`REDACTED_PATHS`) and by value (`secrets`, in any field or
 * message). Writes are synchronous, so nothing is lost when the CLI exits right after a run.
 */
export async function openLogger(options: OpenLoggerOptions): Promise<ClosableLogger> {
  const streams: StreamEntry[] = [];
  const closers: Array<() => void> = [];
  const dir = options.dir;
  if (dir && options.level !== 'silent') {
    const { default: roll } = await import('pino-roll');
    // The logs folder is the first thing made under DECKHAND_HOME: a data dir that is a file or not writable
    // fails here, and is the operator's to fix (one sentence, exit 2), not a crash.
    const file = await roll({ file: join(dir, 'deckhand'), extension: '.log', frequency: 'daily', size: '10m', mkdir: true, sync: true, limit: { count: 7 } }).catch(
      (error: unknown) => {
        throw dataDirError(error, dirname(dir)) ?? error;
      },
    );
    streams.push({ level: options.level as pino.Level, stream: file });
    closers.push(() => file.end());
  }
  if (options.stderrLevel && options.stderrLevel !== 'silent') {
    let stream: DestinationStream = process.stderr;
    if (process.stderr.isTTY) {
      const { default: pretty } = await import('pino-pretty');
      stream = pretty({ destination: 2, sync: true, colorize: true });
    }
    streams.push({ level: options.stderrLevel as pino.Level, stream });
  }
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 6);
  const levels = streams.map((entry) => pino.levels.values[entry.level as string] ?? Number.POSITIVE_INFINITY);
  const lowest = streams.length === 0 ? 'silent' : (pino.levels.labels[Math.min(...levels)] ?? 'info');
  const logger = pino(
    {
      level: lowest,
      name: options.name ?? 'deckhand',
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      ...(secrets.length > 0 ? { hooks: { streamWrite: (line: string) => scrub(line, secrets) } } : {}),
    },
    pino.multistream(streams),
  );
  return Object.assign(logger as unknown as Logger, { close: () => closers.forEach((close) => close()) });
}

/** Replaces every occurrence of each secret (and of its JSON-escaped form) with `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(CENSOR);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && result.includes(escaped)) result = result.split(escaped).join(CENSOR);
  }
  return result;
}
