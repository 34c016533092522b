import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../shared/database/open-database.js';
import { preparedQuery } from './prepared-query.js';

interface Db {
  items: { id: string; owner: string; label: string };
}

describe('preparedQuery', () => {
  let store: OpenDatabase<Db>;
  let db: Kysely<Db>;
  beforeAll(async () => {
    store = await openDatabase<Db>({ file: ':memory:' });
    db = store.db;
    await db.schema.createTable('items').addColumn('id', 'text', (column) => column.primaryKey()).addColumn('owner', 'text').addColumn('label', 'text').execute();
    await db.insertInto('items').values([
      { id: 'a', owner: 'x', label: 'first' },
      { id: 'b', owner: 'y', label: 'second' },
      { id: 'c', owner: 'x', label: 'third' },
    ]).execute();
  });
  afterAll(() => store.close());

  it('returns what the query built per call returns, for each parameter', async () => {
    const byOwner = preparedQuery(db, 1, (builder, owner) => builder.selectFrom('items').selectAll().where('owner', '=', owner!).orderBy('id'));
    for (const owner of ['x', 'y', 'nobody']) {
      expect(await byOwner(owner)).toEqual(await db.selectFrom('items').selectAll().where('owner', '=', owner).orderBy('id').execute());
    }
  });

  it('puts each parameter where its stand-in was, around fixed ones and repeats', async () => {
    const query = preparedQuery(db, 2, (builder, id, owner) =>
      builder.selectFrom('items').select('id').where((eb) => eb.or([eb('id', '=', id!), eb('label', '=', 'second'), eb('owner', '=', owner!), eb('id', '=', owner!)])).orderBy('id'),
    );
    expect((await query('a', 'nobody')).map((row) => row.id)).toEqual(['a', 'b']);
    expect((await query('zzz', 'x')).map((row) => row.id)).toEqual(['a', 'b', 'c']);
  });

  // Invariant: on SQLite a prepared select runs on the connection directly, but never inside someone else's open
  // transaction: it waits for it like any Kysely query, so it never returns rows that are then rolled back.
  it('waits for an open transaction instead of reading its uncommitted rows', async () => {
    const byOwner = preparedQuery(db, 1, (builder, owner) => builder.selectFrom('items').select('id').where('owner', '=', owner!).orderBy('id'));
    expect((await byOwner('x')).map((row) => row.id)).toEqual(['a', 'c']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 'z', owner: 'x', label: 'uncommitted' }).execute();
      inserted();
      await held;
      throw new Error('rolled back');
    });
    await insertedYet;
    const during = byOwner('x');
    release();
    await expect(transaction).rejects.toThrow('rolled back');
    expect((await during).map((row) => row.id)).toEqual(['a', 'c']);
  });

  it('refuses a stand-in that reaches the SQL as text rather than as a bound parameter', () => {
    expect(() => preparedQuery(db, 1, (builder, label) => builder.selectFrom('items').select(sql.lit(label!).as('label')))).toThrow(/parameter 0 is not a bound parameter/);
  });
});
