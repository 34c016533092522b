import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { NoteEntityType, EntityDatabase } from './tables.js';
import { closest } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';

/** The kinds of record a note or an issue can be about. */
export const ENTITY_TYPES: readonly NoteEntityType[] = ['customer', 'order', 'issue', 'sku'];

/** A resolved reference to one existing record, e.g. `{ type: 'order', id: 'XYZ-789' }`. */
export interface EntityRef {
  readonly type: NoteEntityType;
  readonly id: string;
}

/** The `entity` argument of the notes tools and `related_to` of the issues tools. */
export const EntityInputSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .describe(
    'What the note is about: "customer:C-1001", "order:XYZ-789", "issue:ISS-101" or "sku:RNG-14K-07". ' +
      'A bare id works too when its kind is clear (C-1001, ISS-101, an order id or a SKU).',
  );

/** `order:XYZ-789`: the canonical text form of a reference, as stored in `issues.related_to`. */
export function formatEntity(ref: EntityRef): string {
  return `${ref.type}:${ref.id}`;
}

/** Where each kind of record lives. Identifiers come only from this table, never from input. */
const SOURCES: ReadonlyMap<NoteEntityType, { table: string; column: string; label: string }> = new Map([
  ['customer', { table: 'customers', column: 'id', label: 'customer' }],
  ['order', { table: 'orders', column: 'id', label: 'order' }],
  ['issue', { table: 'issues', column: 'id', label: 'issue' }],
  ['sku', { table: 'inventory_items', column: 'sku', label: 'SKU' }],
]);

/** Type prefixes a caller may write, singular or plural; a Map so `constructor:` finds nothing. */
const TYPE_ALIASES: ReadonlyMap<string, NoteEntityType> = new Map([
  ['customer', 'customer'],
  ['customers', 'customer'],
  ['order', 'order'],
  ['orders', 'order'],
  ['issue', 'issue'],
  ['issues', 'issue'],
  ['sku', 'sku'],
  ['skus', 'sku'],
]);

const CANDIDATE_LIMIT = 500;

function sourceOf(type: NoteEntityType): { table: string; column: string; label: string } {
  const source = SOURCES.get(type);
  if (!source) throw new Error(`no source for entity type ${type}`);
  return source;
}

/**
 * `ISS-101`, `iss-101` and `101` all name issue ISS-101. Ids are stored upper-case, so other ids are
 * upper-cased as well; that lets a model write `order:xyz-789`.
 */
export function normalizeId(type: NoteEntityType, id: string): string {
  const upper = id.trim().toUpperCase();
  return type === 'issue' && /^\d+$/.test(upper) ? `ISS-${upper}` : upper;
}

/** True when a record of `type` with this exact (normalized) id exists. The id is bound as a parameter. */
export async function entityExists(db: Kysely<EntityDatabase>, ref: EntityRef): Promise<boolean> {
  const { table, column } = sourceOf(ref.type);
  const { rows } = await sql<{
    found: number;
  }>`select 1 as found from ${sql.table(table)} where ${sql.ref(column)} = ${ref.id}`.execute(db);
  return rows.length > 0;
}

/**
 * Ids of `type` nearest to `id` for a "did you mean" hint: among ids sharing its prefix (`XYZ-`), else
 * among the first few hundred. Customers are shown with their name, since people say names.
 */
export async function similarIds(db: Kysely<EntityDatabase>, type: NoteEntityType, id: string, count = 3): Promise<string[]> {
  const { table, column } = sourceOf(type);
  const prefix = `${(id.split('-')[0] ?? '').replace(/[%_\\]/g, '')}%`;
  const byPrefix = await sql<{ id: string }>`select ${sql.ref(column)} as id from ${sql.table(table)}
    where ${sql.ref(column)} like ${prefix} order by ${sql.ref(column)} limit ${CANDIDATE_LIMIT}`.execute(db);
  const rows =
    byPrefix.rows.length > 0
      ? byPrefix.rows
      : (
          await sql<{ id: string }>`select ${sql.ref(column)} as id
    from ${sql.table(table)} order by ${sql.ref(column)} limit ${CANDIDATE_LIMIT}`.execute(db)
        ).rows;
  const nearest = closest(
    id,
    rows.map((row) => row.id),
    count,
  );
  if (type !== 'customer' || nearest.length === 0) return nearest;
  const names = await db.selectFrom('customers').select(['id', 'name']).where('id', 'in', nearest).execute();
  const nameOf = new Map(names.map((row) => [row.id, row.name]));
  return nearest.map((candidate) => `${candidate} (${nameOf.get(candidate) ?? '?'})`);
}

async function notFound(db: Kysely<EntityDatabase>, ref: EntityRef): Promise<ToolFailure> {
  const similar = await similarIds(db, ref.type, ref.id);
  const hint = similar.length > 0 ? `; did you mean ${similar.join(', ')}?` : '.';
  return new ToolFailure(`No ${sourceOf(ref.type).label} ${ref.id}${hint} Check the id and try again.`);
}

/** The kind a bare id has by its shape alone, when its shape says so. */
function typeByShape(id: string): NoteEntityType | undefined {
  if (/^C-\d+$/.test(id)) return 'customer';
  if (/^ISS-\d+$/.test(id)) return 'issue';
  return undefined;
}

/**
 * Turns `"order:XYZ-789"`, `"Order: xyz-789"` or a bare `"XYZ-789"` into a reference to an existing record.
 * A bare id is typed by its shape (`C-####` customer, `ISS-###` issue) or else by looking it up among orders
 * and SKUs.
 *
 * @throws ToolFailure when the type prefix is unknown, the record does not exist (with the nearest ids), or a
 *   bare id matches both an order and a SKU.
 */
export async function resolveEntity(db: Kysely<EntityDatabase>, input: string): Promise<EntityRef> {
  const text = input.trim();
  const separator = text.indexOf(':');
  if (separator >= 0) {
    const prefix = text.slice(0, separator).trim().toLowerCase();
    const type = TYPE_ALIASES.get(prefix);
    if (!type) {
      throw new ToolFailure(
        `Unknown entity type '${text.slice(0, separator).trim()}' in '${text}'. Use one of ${ENTITY_TYPES.map((name) => `${name}:`).join(', ')} ` +
          'followed by an id, e.g. order:XYZ-789.',
      );
    }
    const id = normalizeId(type, text.slice(separator + 1));
    if (id === '') throw new ToolFailure(`'${text}' has no id after '${prefix}:'; e.g. ${prefix}:${exampleId(type)}.`);
    const ref = { type, id };
    if (!(await entityExists(db, ref))) throw await notFound(db, ref);
    return ref;
  }

  const id = text.toUpperCase();
  const shaped = typeByShape(id);
  if (shaped) {
    const ref = { type: shaped, id };
    if (!(await entityExists(db, ref))) throw await notFound(db, ref);
    return ref;
  }
  const matches: EntityRef[] = [];
  for (const type of ['order', 'sku'] as const) {
    if (await entityExists(db, { type, id })) matches.push({ type, id });
  }
  const [only, second] = matches;
  if (only && !second) return only;
  if (only && second) {
    throw new ToolFailure(`'${id}' is both an order and a SKU; say which, e.g. order:${id} or sku:${id}.`);
  }
  // One query at a time: inside a transaction they share one connection anyway.
  const orders = await similarIds(db, 'order', id, 2);
  const skus = await similarIds(db, 'sku', id, 2);
  const similar = closest(id, [...orders, ...skus], 3);
  throw new ToolFailure(
    `No customer, order, issue or SKU ${id}${similar.length > 0 ? `; did you mean ${similar.join(', ')}?` : '.'} ` +
      'Check the id, or prefix its kind, e.g. order:XYZ-789 or sku:RNG-14K-07.',
  );
}

function exampleId(type: NoteEntityType): string {
  switch (type) {
    case 'customer':
      return 'C-1001';
    case 'order':
      return 'XYZ-789';
    case 'issue':
      return 'ISS-101';
    case 'sku':
      return 'RNG-14K-07';
  }
}
