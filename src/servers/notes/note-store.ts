import type { Kysely } from 'kysely';
import type { NotesDatabase } from './tables.js';
import { newId, nowIso } from '../shared/ids.js';
import { decodeCursor, toPage } from '../shared/pagination.js';
import { ToolFailure } from '../shared/tool-failure.js';
import type { EntityRef } from './entity-ref.js';

/** One internal note as the tools return it. */
export interface Note {
  readonly id: string;
  readonly text: string;
  readonly author: string;
  readonly created_at: string;
}

/** A page of notes, newest first. */
export interface NotePage {
  readonly notes: Note[];
  readonly next_cursor: string | null;
}

/** The keyset position of a note in newest-first order: `(created_at, id)`, both descending. */
interface NotePosition {
  readonly createdAt: string;
  readonly id: string;
}

function positionKey(note: Note): string {
  return JSON.stringify([note.created_at, note.id]);
}

function parsePosition(cursor: string | undefined): NotePosition | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  try {
    const value = JSON.parse(key) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new ToolFailure(
    'The cursor is not a notes cursor; pass the `next_cursor` of the previous get_notes page exactly, or omit it.',
  );
}

/**
 * Internal notes on customers, orders, issues and SKUs. Every query binds its input as parameters. Built over
 * the store or over a transaction, so a note can commit together with its idempotency record.
 */
export class NoteStore {
  constructor(private readonly db: Kysely<NotesDatabase>) {}

  /**
   * One page of the notes on `entity`, newest first. The order is stable, `(created_at, id)` descending,
   * so walking the pages never repeats or skips a note, even while notes are added.
   *
   * @throws ToolFailure when the cursor is malformed.
   */
  async list(entity: EntityRef, options: { cursor?: string | undefined; limit: number }): Promise<NotePage> {
    const after = parsePosition(options.cursor);
    let query = this.db
      .selectFrom('notes')
      .select(['id', 'text', 'author', 'created_at'])
      .where('entity_type', '=', entity.type)
      .where('entity_id', '=', entity.id);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute();
    const page = toPage(rows, options.limit, positionKey);
    return { notes: page.items, next_cursor: page.next_cursor };
  }

  /** Adds a note on `entity`, which the caller has checked exists. */
  async add(entity: EntityRef, note: { text: string; author: string }): Promise<Note> {
    const row = {
      id: newId('N'),
      entity_type: entity.type,
      entity_id: entity.id,
      text: note.text,
      author: note.author,
      created_at: nowIso(),
    };
    await this.db.insertInto('notes').values(row).execute();
    return { id: row.id, text: row.text, author: row.author, created_at: row.created_at };
  }
}
