/**
 * @module Hash chaining for append-only logs (the host's audit log, the devops server's command record): each
 * row carries the hash of the one before, so changing, removing or reordering a row breaks the chain.
 */
import { createHash } from 'node:crypto';

/** The hash the first entry of a chain links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted (undefined members dropped), so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The SHA-256 (hex) of `row` chained to `previous`: `sha256(previous + "\n" + canonicalJson(row))`. */
export function chainHash(previous: string, row: Record<string, unknown>): string {
  return createHash('sha256').update(previous).update('\n').update(canonicalJson(row)).digest('hex');
}
