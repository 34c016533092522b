import { z } from 'zod';
import { ToolFailure } from './tool-failure.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Input fields every list tool takes. */
export const PageInputShape = {
  cursor: z.string().max(512).optional().describe('Opaque cursor from `next_cursor` of the previous page; omit for the first page'),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE).describe(`Items per page (1-${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE})`),
};

/** Output field of every list tool. */
export const NextCursorSchema = z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page');

/**
 * Keyset pagination over a stable sort key: a cursor is the last key of the previous page, encoded so
 * callers treat it as opaque. Pages stay stable while rows are added elsewhere.
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof decoded === 'object' && decoded !== null && typeof (decoded as { after?: unknown }).after === 'string') {
      return (decoded as { after: string }).after;
    }
  } catch {
    // fall through to the error below
  }
  throw new ToolFailure('The cursor is not valid; pass the `next_cursor` value of the previous page exactly, or omit it to start over.');
}

export function encodeCursor(lastKey: string): string {
  return Buffer.from(JSON.stringify({ after: lastKey }), 'utf8').toString('base64url');
}

/** Cuts the `limit + 1` rows a query fetched into a page and the cursor of the next one. */
export function toPage<T>(rows: readonly T[], limit: number, keyOf: (row: T) => string): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
