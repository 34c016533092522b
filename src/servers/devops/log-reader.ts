/**
 * @module Reading logs for troubleshooting, safely: only regular files under the allowed log directories (no
 * traversal, no symlinks out, no devices, nothing huge), tailed from the end without reading the whole file, and
 * error lines grouped by signature.
 */
import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { ToolFailure } from '../shared/tool-failure.js';

/** Larger files are refused: a log this big is being written by something broken, or is not a log. */
export const MAX_LOG_FILE_BYTES = 1024 ** 3;
/** Most bytes read from the end of a file, whatever the line count. */
export const MAX_TAIL_BYTES = 8 * 1024 * 1024;
export const DEFAULT_TAIL_LINES = 500;
const CHUNK_BYTES = 64 * 1024;

export interface ResolvedLog {
  /** The real path (symlinks inside the log directories resolved). */
  readonly path: string;
  readonly size: number;
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);

/**
 * Finds `logFile` under one of `logDirs` (a relative name is looked up in each, in order; an absolute path must
 * lie inside one), or the most recently modified file in them when `logFile` is omitted.
 *
 * @throws ToolFailure when there are no log directories, the file is outside them (traversal or a symlink
 *   out), is not a regular file (a directory, a device, a FIFO), or is larger than {@link MAX_LOG_FILE_BYTES}.
 */
export async function resolveLogFile(logDirs: readonly string[], logFile: string | undefined): Promise<ResolvedLog> {
  if (logDirs.length === 0) throw new ToolFailure('No log directories are configured: add devops.logDirs (e.g. ["/var/log/myapp"]) to deckhand.json.');
  const dirs = (await Promise.all(logDirs.map((dir) => realpath(dir).catch(() => undefined)))).filter((dir): dir is string => dir !== undefined);
  if (dirs.length === 0) throw new ToolFailure(`None of the log directories exist: ${logDirs.join(', ')}.`);
  if (logFile === undefined) return newestLog(dirs, logDirs);
  if (logFile.includes('\0')) throw new ToolFailure('log_file contains a NUL byte; pass a file name such as app.log.');
  const candidates = isAbsolute(logFile) ? [logFile] : dirs.map((dir) => join(dir, logFile));
  for (const candidate of candidates) {
    let real: string;
    try {
      real = await realpath(candidate);
    } catch {
      continue;
    }
    if (!dirs.some((dir) => inside(real, dir))) {
      throw new ToolFailure(
        `Refused: ${logFile} resolves to ${real}, outside the allowed log directories (${logDirs.join(', ')}). ` +
          'Only files under devops.logDirs can be read; path traversal ("..") and symlinks that lead out are not followed.',
      );
    }
    return checkFile(real, logFile);
  }
  // Not found; still say "outside" for a traversal attempt so it is never mistaken for a missing file.
  const escapes = candidates.some((candidate) => !dirs.some((dir) => inside(candidate, dir)));
  if (escapes) throw new ToolFailure(`Refused: ${logFile} is outside the allowed log directories (${logDirs.join(', ')}).`);
  throw new ToolFailure(`No log file ${logFile} in ${logDirs.join(', ')}. Omit log_file to read the most recent log there.`);
}

async function checkFile(real: string, asked: string): Promise<ResolvedLog> {
  const info = await stat(real);
  if (!info.isFile()) throw new ToolFailure(`Refused: ${asked} is not a regular file (${info.isDirectory() ? 'a directory' : 'a device, socket or pipe'}).`);
  if (info.size > MAX_LOG_FILE_BYTES) {
    throw new ToolFailure(`Refused: ${asked} is ${Math.round(info.size / 1024 ** 2)} MB, over the ${MAX_LOG_FILE_BYTES / 1024 ** 3} GB limit; rotate it, or point log_file at a smaller one.`);
  }
  return { path: real, size: info.size };
}

async function newestLog(dirs: readonly string[], configured: readonly string[]): Promise<ResolvedLog> {
  let best: { path: string; mtimeMs: number; size: number } | undefined;
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isFile()) continue;
      const path = join(dir, entry.name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.size <= MAX_LOG_FILE_BYTES && (!best || info.mtimeMs > best.mtimeMs)) best = { path, mtimeMs: info.mtimeMs, size: info.size };
    }
  }
  if (!best) throw new ToolFailure(`No log files in ${configured.join(', ')}.`);
  return { path: best.path, size: best.size };
}

/**
 * The last `lines` lines of a file, read backwards in chunks from the end (at most {@link MAX_TAIL_BYTES}), so a
 * large log costs what its tail costs. Opened without following a symlink, and checked again as a regular file.
 */
export async function tailFile(path: string, lines = DEFAULT_TAIL_LINES): Promise<{ lines: string[]; bytesRead: number }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ToolFailure(`Refused: ${path} is not a regular file.`);
    let position = info.size;
    let bytesRead = 0;
    const chunks: Buffer[] = [];
    let newlines = 0;
    while (position > 0 && newlines <= lines && bytesRead < MAX_TAIL_BYTES) {
      const size = Math.min(CHUNK_BYTES, position, MAX_TAIL_BYTES - bytesRead);
      position -= size;
      const buffer = Buffer.alloc(size);
      const { bytesRead: got } = await handle.read(buffer, 0, size, position);
      const chunk = buffer.subarray(0, got);
      chunks.unshift(chunk);
      bytesRead += got;
      for (const byte of chunk) if (byte === 0x0a) newlines += 1;
    }
    let text = Buffer.concat(chunks).toString('utf8');
    // Started mid-file: the first line is partial.
    if (position > 0) text = text.slice(text.indexOf('\n') + 1);
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    return { lines: all.slice(-lines), bytesRead };
  } finally {
    await handle.close();
  }
}

export interface ErrorGroup {
  readonly signature: string;
  readonly count: number;
  readonly first_seen: string | null;
  readonly last_seen: string | null;
  readonly example: string;
}

const TIMESTAMP = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?/;
const ERROR_WORDS = /\b(ERROR|ERR|FATAL|CRIT(?:ICAL)?|PANIC|SEVERE|EMERG|ALERT|Exception|Traceback|Unhandled|panic:)\b|\blevel[=:]\s*"?(error|fatal|critical)\b/i;

interface LogLine {
  readonly time: string | null;
  readonly message: string;
  readonly error: boolean;
}

/** A line as its time, message and whether it reports an error; JSON lines (pino, bunyan, …) by their fields. */
export function parseLogLine(line: string): LogLine {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      const record = JSON.parse(trimmed) as Record<string, unknown>;
      const level = record.level ?? record.severity ?? record.lvl;
      const error = typeof level === 'number' ? level >= 50 : /^(error|fatal|critical|crit|panic|emerg|alert)$/i.test(String(level ?? ''));
      const rawTime = record.time ?? record.timestamp ?? record['@timestamp'] ?? record.ts;
      const time = typeof rawTime === 'number' ? new Date(rawTime > 1e12 ? rawTime : rawTime * 1000).toISOString() : typeof rawTime === 'string' ? rawTime : null;
      const message = String(record.msg ?? record.message ?? record.error ?? trimmed);
      return { time, message, error };
    } catch {
      // not JSON after all: read as text
    }
  }
  const time = TIMESTAMP.exec(trimmed)?.[0] ?? null;
  return { time, message: trimmed, error: ERROR_WORDS.test(trimmed) };
}

/** What stays the same between occurrences of one error: times, numbers, ids, quoted values and paths masked. */
export function errorSignature(message: string): string {
  return message
    .replace(TIMESTAMP, '')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b[0-9a-f]{12,}\b/gi, '<hex>')
    .replace(/"[^"]*"|'[^']*'/g, '<str>')
    .replace(/\d+(\.\d+)*/g, '<n>')
    .replace(/^[\s[\]:|-]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/** Error lines grouped by signature, most frequent first. */
export function groupErrors(lines: readonly string[]): { groups: ErrorGroup[]; errorLines: number } {
  const groups = new Map<string, { count: number; first: string | null; last: string | null; example: string }>();
  let errorLines = 0;
  for (const line of lines) {
    const parsed = parseLogLine(line);
    if (!parsed.error) continue;
    errorLines += 1;
    const signature = errorSignature(parsed.message);
    const group = groups.get(signature);
    if (group) {
      group.count += 1;
      group.last = parsed.time ?? group.last;
      group.first ??= parsed.time;
    } else {
      groups.set(signature, { count: 1, first: parsed.time, last: parsed.time, example: line.slice(0, 500) });
    }
  }
  return {
    errorLines,
    groups: [...groups.entries()]
      .map(([signature, group]) => ({ signature, count: group.count, first_seen: group.first, last_seen: group.last, example: group.example }))
      .sort((left, right) => right.count - left.count)
      .slice(0, 25),
  };
}
