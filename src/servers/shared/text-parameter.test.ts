import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../shared/database/open-database.js';
import { textParameter } from './text-parameter.js';

interface Db {
  owners: { id: string; name: string };
  items: { id: string; owner_id: string };
}

describe('textParameter', () => {
  let store: OpenDatabase<Db>;
  let db: Kysely<Db>;
  /** Statements SQLite compiled (prepared or re-prepared) since the last reset: the authorizer runs once per compile. */
  let compiles = 0;
  beforeAll(async () => {
    store = await openDatabase<Db>({ file: ':memory:' });
    db = store.db;
    await db.schema.createTable('owners').addColumn('id', 'text', (column) => column.primaryKey()).addColumn('name', 'text').execute();
    await db.schema.createTable('items').addColumn('id', 'text', (column) => column.primaryKey()).addColumn('owner_id', 'text').execute();
    await db.insertInto('owners').values([{ id: 'o1', name: 'Ada' }, { id: 'o2', name: 'Bo' }]).execute();
    await db.insertInto('items').values([{ id: 'i1', owner_id: 'o1' }, { id: 'i2', owner_id: 'o2' }]).execute();
    store.sqlite!.setAuthorizer(() => {
      compiles += 1;
      return 0; // SQLITE_OK
    });
  });
  afterAll(() => store.close());

  const ownerOf = (id: ReturnType<typeof textParameter> | string) =>
    db.selectFrom('items').innerJoin('owners', 'owners.id', 'items.owner_id').select(['items.id', 'owners.name']).where('items.id', '=', id);

  it('finds what the bare parameter finds', async () => {
    for (const id of ['i1', 'i2', 'none', "i1' or 1=1 --"]) {
      expect(await ownerOf(textParameter(id)).execute()).toEqual(await ownerOf(id).execute());
    }
  });

  // Invariant: a join keyed by textParameter is planned once, however often it runs with new values; this is what
  // makes getCustomerEmail's lookup cheap (a bare `?` there re-prepares on every run on SQLite 3.54).
  it('lets SQLite reuse the plan of a join across values', async () => {
    await ownerOf(textParameter('i1')).execute();
    compiles = 0;
    for (const id of ['i1', 'i2', 'i1', 'none']) await ownerOf(textParameter(id)).execute();
    expect(compiles).toBe(0);
  });

  it('is needed only in joins: a single-table lookup with a bare parameter is planned once already', async () => {
    const byId = (id: string) => db.selectFrom('items').selectAll().where('id', '=', id).execute();
    await byId('i1');
    compiles = 0;
    for (const id of ['i1', 'i2', 'none']) await byId(id);
    expect(compiles).toBe(0);
  });
});
