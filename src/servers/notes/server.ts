import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { NotesDatabase } from './tables.js';
import { IdempotencyKeySchema, runOnce } from '../shared/idempotency.js';
import { NextCursorSchema, PageInputShape } from '../shared/pagination.js';
import { guarded, ok } from '../shared/tool-result.js';
import { EntityInputSchema, formatEntity, resolveEntity } from './entity-ref.js';
import { type Note, NoteStore } from './note-store.js';

/** Longest note text, in characters. */
export const MAX_NOTE_LENGTH = 4_000;
/** Longest author name, in characters. */
export const MAX_AUTHOR_LENGTH = 100;
/** Who a note is from when the caller does not say. */
export const DEFAULT_NOTE_AUTHOR = 'deckhand';

const NoteSchema = z.object({
  id: z.string(),
  text: z.string(),
  author: z.string(),
  created_at: z.string().describe('ISO-8601 time the note was added'),
});

/** One line per note, for the text part of a result. */
function noteLine(note: Note): string {
  return `- ${note.created_at} ${note.author} (${note.id}): ${note.text}`;
}

/**
 * The notes MCP server: internal notes on customers, orders, issues and SKUs. `get_notes` is read-only and
 * paginated newest first; `add_note` is a side effect done at most once per idempotency key.
 */
export function createNotesServer(db: Kysely<NotesDatabase>, version: string): McpServer {
  const server = new McpServer({ name: 'deckhand-notes', version }, { capabilities: { tools: {} } });
  const notes = new NoteStore(db);

  server.registerTool(
    'get_notes',
    {
      title: 'Get internal notes',
      description:
        'Read the internal notes on a customer, order, issue or SKU, newest first. Pass the entity as ' +
        '"customer:C-1001", "order:XYZ-789", "issue:ISS-101" or "sku:RNG-14K-07" (a bare id works when its kind is clear). ' +
        'Pass next_cursor back as cursor for older notes.',
      inputSchema: z.object({ entity: EntityInputSchema, ...PageInputShape }),
      outputSchema: z.object({
        entity: z.string().describe('The entity, written canonically, e.g. order:XYZ-789'),
        notes: z.array(NoteSchema),
        next_cursor: NextCursorSchema,
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('get_notes', async ({ entity, cursor, limit }) => {
      const ref = await resolveEntity(db, entity);
      const page = await notes.list(ref, { cursor, limit });
      const name = formatEntity(ref);
      const more = page.next_cursor ? '\n(older notes: pass next_cursor as cursor)' : '';
      const text =
        page.notes.length === 0
          ? `No ${cursor ? 'more ' : ''}notes on ${name}.`
          : `${page.notes.length} note${page.notes.length === 1 ? '' : 's'} on ${name}, newest first:\n${page.notes.map(noteLine).join('\n')}${more}`;
      return ok(text, { entity: name, notes: page.notes, next_cursor: page.next_cursor });
    }),
  );

  server.registerTool(
    'add_note',
    {
      title: 'Add an internal note',
      description:
        'Add an internal note (never shown to the customer) to a customer, order, issue or SKU, which must exist. ' +
        'Pass an idempotency_key so a retried call adds the note only once.',
      inputSchema: z.object({
        entity: EntityInputSchema,
        text: z.string().trim().min(1).max(MAX_NOTE_LENGTH).describe(`The note, 1-${MAX_NOTE_LENGTH} characters`),
        author: z
          .string()
          .trim()
          .min(1)
          .max(MAX_AUTHOR_LENGTH)
          .default(DEFAULT_NOTE_AUTHOR)
          .describe(`Who the note is from (default "${DEFAULT_NOTE_AUTHOR}")`),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: NoteSchema.extend({
        entity: z.string().describe('The entity the note is on, e.g. order:XYZ-789'),
        replayed: z
          .boolean()
          .describe(
            'True when this idempotency_key was used before: the first note is returned and nothing new was added',
          ),
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded('add_note', async ({ entity, text, author, idempotency_key }) => {
      const { result, replayed } = await runOnce(db, { key: idempotency_key, tool: 'notes.add_note' }, async (trx) => {
        // Resolved inside the transaction, so the entity check and the insert see the same state.
        const ref = await resolveEntity(trx, entity);
        const note = await new NoteStore(trx).add(ref, { text, author });
        return { ...note, entity: formatEntity(ref) };
      });
      const summary = `${replayed ? 'Already added (same idempotency_key): ' : 'Added '}note ${result.id} on ${result.entity} by ${result.author}.`;
      return ok(summary, { ...result, replayed });
    }),
  );

  return server;
}
