import type { McpServer } from '@modelcontextprotocol/server';
import { ResourceTemplate } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { NotesDatabase, NoteEntityType } from './tables.js';
import { embeddedJson, idVariable, jsonResource, notFound, RESOURCE_LIST_LIMIT } from '../shared/resource-content.js';

const ENTITY_TYPES = ['customer', 'order', 'issue', 'sku'] as const satisfies readonly NoteEntityType[];

const isEntityType = (value: string): value is NoteEntityType => (ENTITY_TYPES as readonly string[]).includes(value);

/** The latest notes on anything, newest first. */
function recentNotes(db: Kysely<NotesDatabase>) {
  return db
    .selectFrom('notes')
    .select(['id', 'entity_type', 'entity_id', 'text', 'author', 'created_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(RESOURCE_LIST_LIMIT)
    .execute();
}

/** The notes on one entity, newest first. */
function notesOn(db: Kysely<NotesDatabase>, entityType: NoteEntityType, entityId: string) {
  return db
    .selectFrom('notes')
    .select(['id', 'text', 'author', 'created_at'])
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(RESOURCE_LIST_LIMIT)
    .execute();
}

/** Notes: `notes://recent`, `notes://{entity_type}/{entity_id}`, and prompt `summarize_notes`. */
export function registerNotesResources(server: McpServer, db: Kysely<NotesDatabase>): void {
  server.registerResource(
    'recent-notes',
    'notes://recent',
    {
      title: 'Recent notes',
      description: `The ${RESOURCE_LIST_LIMIT} latest internal notes on customers, orders, issues and SKUs, newest first.`,
      mimeType: 'application/json',
    },
    async (uri) => jsonResource(uri, await recentNotes(db)),
  );

  server.registerResource(
    'entity-notes',
    new ResourceTemplate('notes://{entity_type}/{entity_id}', { list: undefined }),
    {
      title: 'Notes on one entity',
      description: `The notes on one ${ENTITY_TYPES.join(', ')} (e.g. notes://customer/C-1001), newest first. An entity with no notes gives an empty list.`,
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const entityType = idVariable(variables, 'entity_type').toLowerCase();
      if (!isEntityType(entityType))
        notFound(uri, `entity type '${entityType}'`, `Use one of ${ENTITY_TYPES.join(', ')}.`);
      const entityId = idVariable(variables, 'entity_id').toUpperCase();
      return jsonResource(uri, { entity: `${entityType}:${entityId}`, notes: await notesOn(db, entityType, entityId) });
    },
  );

  server.registerPrompt(
    'summarize_notes',
    {
      title: 'Summarize notes',
      description:
        'Turn the internal notes on one customer, order, issue or SKU into a short handover for a colleague.',
      argsSchema: z.object({
        entity_type: z.enum(ENTITY_TYPES).describe('What the notes are on: customer, order, issue or sku'),
        entity_id: z.string().trim().min(1).max(64).describe('Its id, e.g. C-1001, XYZ-789, ISS-101 or RNG-14K-07'),
      }),
    },
    async ({ entity_type, entity_id }) => {
      const entityId = entity_id.toUpperCase();
      const notes = await notesOn(db, entity_type, entityId);
      const entity = `${entity_type}:${entityId}`;
      return {
        description: `Handover from the notes on ${entity}`,
        messages: [
          { role: 'user', content: embeddedJson(`notes://${entity_type}/${entityId}`, { entity, notes }) },
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                notes.length === 0
                  ? `There are no notes on ${entity}. Say so in one line.`
                  : `Summarize these ${notes.length} internal notes on ${entity} as a short handover: what matters now, ` +
                    'promises made to the customer, and who wrote what when it matters. Newest notes win over older ones.',
            },
          },
        ],
      };
    },
  );
}
