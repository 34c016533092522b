/**
 * @module Why a store could not be opened, for people: the errors of opening a SQLite file or connecting to
 * PostgreSQL that are configuration problems become one-sentence `UsageError`s (exit code 2) naming the fix.
 */
import { dirname } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { AppError, errorMessage, UsageError } from '../errors.js';
import { dataDirError, errorCodes } from '../fs-errors.js';

/** The store that failed to open: a SQLite file, or PostgreSQL at `location` (the URL without its password). */
export type StoreTarget = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly location: string };

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** Every message in `error`'s cause chain, joined, for matching driver messages. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    parts.push(errorMessage(current));
  }
  return parts.join(' | ');
}

/**
 * Maps an error thrown while opening, migrating or seeding a store: configuration problems (a data dir that is a
 * file or not writable, a read-only or foreign database file, an unreachable PostgreSQL, a refused login, a
 * missing database) to a `UsageError` naming the fix; anything else is returned unchanged.
 */
export function storeOpenError(error: unknown, target: StoreTarget): unknown {
  if (error instanceof AppError) return error;
  const codes = errorCodes(error);
  const text = messages(error);
  if (target.kind === 'sqlite') {
    const inDir = dataDirError(error, dirname(target.file));
    if (inDir) return inDir;
    if (codes.some((code) => code.startsWith('SQLITE_READONLY')) || /readonly database/i.test(text)) {
      return new UsageError(`The database file ${target.file} is read-only: make it (and its folder) writable for this user, or set DECKHAND_HOME to another folder.`, {
        cause: error,
      });
    }
    if (codes.includes('SQLITE_NOTADB') || /not a database/i.test(text)) {
      return new UsageError(`${target.file} is not a SQLite database: move it away, or set DECKHAND_HOME to another folder.`, { cause: error });
    }
    if (codes.includes('SQLITE_CANTOPEN') || /unable to open database file/i.test(text)) {
      return new UsageError(`Cannot open the database file ${target.file}: make sure DECKHAND_HOME is a folder this user can write.`, { cause: error });
    }
    return error;
  }
  const unreachable = codes.find((code) => UNREACHABLE.has(code));
  if (unreachable) {
    return new UsageError(`Cannot reach PostgreSQL at ${target.location} (${unreachable}): start it, or fix the host and port in DATABASE_URL.`, { cause: error });
  }
  // PostgreSQL's SQLSTATEs: 28P01 wrong password, 28000 no such role / not allowed, 3D000 no such database.
  if (codes.includes('28P01') || codes.includes('28000')) {
    return new UsageError(`PostgreSQL at ${target.location} refused the login (${firstLine(text)}): fix the user and password in DATABASE_URL.`, { cause: error });
  }
  if (codes.includes('3D000')) {
    return new UsageError(`PostgreSQL at ${target.location} has no such database: create it (createdb), or fix the database name in DATABASE_URL.`, { cause: error });
  }
  return error;
}

function firstLine(text: string): string {
  return (text.split(' | ').find((part) => part.trim() !== '' && !/^Database migration/.test(part)) ?? text).split('\n')[0]!;
}

/**
 * Fails when a SQLite store opened read-only (SQLite falls back to read-only when the file cannot be opened for
 * writing), before a run starts instead of at its first write: writes the header's `user_version` back unchanged.
 */
export async function assertWritable<DB>(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(db);
  const version = Number(rows[0]?.user_version ?? 0);
  await sql.raw(`pragma user_version = ${Number.isInteger(version) ? version : 0}`).execute(db);
}

/** A PostgreSQL URL as people see it: `postgres://user@host:port/database`, never the password or parameters. */
export function postgresLocation(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `postgres://${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
