/**
 * @module File-system failures that are configuration problems (a data dir that is a file, or that this user may
 * not write), turned into one-sentence `UsageError`s that name the path and the fix.
 */
import { UsageError } from './errors.js';

/** The Node error codes of every cause in `error`'s chain (and inside an AggregateError). */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((value as { cause?: unknown }).cause);
    const inner = (value as { errors?: unknown }).errors;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  visit(error);
  return codes;
}

/**
 * A `UsageError` for a data dir (`DECKHAND_HOME`) that cannot hold Deckhand's files, when `error` says so
 * (ENOTDIR/EEXIST: a file is in the way; EACCES/EPERM/EROFS: not writable); otherwise undefined.
 */
export function dataDirError(error: unknown, path: string): UsageError | undefined {
  const codes = errorCodes(error);
  if (codes.includes('ENOTDIR') || codes.includes('EEXIST')) {
    return new UsageError(`The data dir ${path} is not a folder (a file is in the way): set DECKHAND_HOME to a folder, or move that file.`, { cause: error });
  }
  const denied = codes.find((code) => code === 'EACCES' || code === 'EPERM' || code === 'EROFS');
  if (denied) {
    return new UsageError(`Cannot write to the data dir ${path} (${denied}): make it writable for this user, or set DECKHAND_HOME to a folder you can write.`, {
      cause: error,
    });
  }
  return undefined;
}
