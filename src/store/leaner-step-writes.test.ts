import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, postgresReachable } from '../../test/helpers/postgres.js';
import { migrateSet } from '../shared/database/migrate.js';
import { openDatabase } from '../shared/database/open-database.js';
import { openStore } from './database.js';
import { HOST_MIGRATIONS } from './migrations.js';
import { RunRecorder } from './run-recorder.js';
import type { Database } from './schema.js';

const BEFORE = '0007_leaner_step_writes';

/** The old store's one model call, every column set. */
const OLD_CALL = {
  run_id: 'R-old',
  session_id: 'S-old',
  step: 1,
  kind: 'step',
  model: 'openai:gpt-4.1-mini',
  input_tokens: 100,
  cached_input_tokens: 10,
  output_tokens: 20,
  reasoning_tokens: 5,
  cost_usd: 0.25,
  duration_ms: 900,
  at: '2026-11-30T10:00:00.000Z',
  day: '2026-11-30',
};

/** A store as the host's migrations up to 0006 left it, with a run's events, transcript and model calls in it. */
async function storeBefore0007(options: { file: string; databaseUrl?: string }): Promise<void> {
  const migrations = Object.fromEntries(Object.entries(HOST_MIGRATIONS.migrations).filter(([name]) => name < BEFORE));
  const old = await openDatabase<Database>({ file: options.file, databaseUrl: options.databaseUrl });
  try {
    await migrateSet(old.db, { ...HOST_MIGRATIONS, migrations });
    await old.db.insertInto('sessions').values({ id: 'S-old', title: 'old', created_at: 'x' }).execute();
    await old.db.insertInto('runs').values({ id: 'R-old', session_id: 'S-old', task: 'old task', model: 'offline', status: 'finished', started_at: 'x' }).execute();
    await old.db
      .insertInto('run_events')
      .values([1, 2, 3].map((seq) => ({ run_id: 'R-old', seq, type: 'step-start', at: seq, data: `{"seq":${seq}}` })))
      .execute();
    await old.db
      .insertInto('session_messages')
      .values([1, 2].map((seq) => ({ session_id: 'S-old', seq, run_id: 'R-old', role: seq === 1 ? 'user' : 'assistant', message: `{"m":${seq}}`, created_at: 'x' })))
      .execute();
    await old.db.insertInto('model_calls').values(OLD_CALL).execute();
  } finally {
    await old.close();
  }
}

async function indexesOf(db: import('kysely').Kysely<Database>, table: string, postgres: boolean): Promise<string[]> {
  const { rows } = postgres
    ? await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table}`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_schema where type = 'index' and tbl_name = ${table}`.execute(db);
  return rows.map((row) => row.name).sort();
}

function upgradeContract(name: string, target: () => Promise<{ file: string; databaseUrl?: string }>, postgres: boolean): void {
  describe(`migration 0007 (leaner step writes) on ${name}`, () => {
    it('keeps every event, message and model call, drops the unused model_calls index, and numbers new events after the old', async () => {
      const options = await target();
      await storeBefore0007(options);
      const store = await openStore({ ...options, seed: false });
      try {
        const { db } = store;
        // PostgreSQL answers bigints as strings.
        const events = await db.selectFrom('run_events').select(['id', 'run_id', 'seq', 'type', 'at', 'data']).orderBy('id').execute();
        expect(events.map((row) => ({ ...row, id: Number(row.id), at: Number(row.at) }))).toEqual(
          [1, 2, 3].map((seq) => ({ id: seq, run_id: 'R-old', seq, type: 'step-start', at: seq, data: `{"seq":${seq}}` })),
        );
        expect(await db.selectFrom('session_messages').selectAll().orderBy('seq').execute()).toEqual([
          { session_id: 'S-old', seq: 1, run_id: 'R-old', role: 'user', message: '{"m":1}', created_at: 'x' },
          { session_id: 'S-old', seq: 2, run_id: 'R-old', role: 'assistant', message: '{"m":2}', created_at: 'x' },
        ]);
        const [call] = await db.selectFrom('model_calls').selectAll().execute();
        expect({ ...call, id: Number(call!.id) }).toEqual({ id: 1, ...OLD_CALL });
        const modelCallIndexes = await indexesOf(db, 'model_calls', postgres);
        expect(modelCallIndexes).toEqual(expect.arrayContaining(['model_calls_day', 'model_calls_session']));
        expect(modelCallIndexes).not.toContain('model_calls_run');

        // A new run's events come after the old ones in the store's insertion order (followers read after an id).
        const recorder = new RunRecorder(store, { sessionId: 'S-new', preamble: 0, storedMessages: 0, settings: { model: 'offline', yes: false } });
        await recorder.record({ type: 'run-start', runId: 'R-new', sessionId: 'S-new', at: 10, task: 'new task', model: 'offline', maxSteps: 10, budgetUsd: null });
        await recorder.record({ type: 'step-start', runId: 'R-new', at: 11, step: 1 });
        const ids = await db.selectFrom('run_events').select(['id', 'run_id']).where('run_id', '=', 'R-new').orderBy('id').execute();
        expect(ids.map((row) => Number(row.id))).toEqual([4, 5]);
        // A duplicate (run, seq) is still refused.
        await expect(db.insertInto('run_events').values({ run_id: 'R-new', seq: 1, type: 'x', at: 1, data: '{}' }).execute()).rejects.toThrow();
      } finally {
        await store.close();
      }
    });

    if (!postgres) {
      it('keeps no AUTOINCREMENT counter and leaves no table of the rebuild behind', async () => {
        const file = join(mkdtempSync(join(tmpdir(), 'deckhand-0007-')), 'deckhand.db');
        await storeBefore0007({ file });
        const store = await openStore({ file, seed: false });
        try {
          const { rows: tables } = await sql<{ name: string; sql: string }>`select name, sql from sqlite_schema where type = 'table'`.execute(store.db);
          const ddl = new Map(tables.map((row) => [row.name, row.sql]));
          expect(ddl.get('run_events')).not.toMatch(/autoincrement/i);
          expect(ddl.get('model_calls')).not.toMatch(/autoincrement/i);
          expect([...ddl.keys()].filter((name) => name.endsWith('_rebuilt'))).toEqual([]);
          const { rows: counters } = await sql<{ name: string }>`select name from sqlite_sequence`.execute(store.db);
          expect(counters.map((row) => row.name)).not.toEqual(expect.arrayContaining(['run_events']));
          expect(counters.map((row) => row.name)).not.toEqual(expect.arrayContaining(['model_calls']));
        } finally {
          await store.close();
        }
      });
    }
  });
}

upgradeContract('SQLite', async () => ({ file: join(mkdtempSync(join(tmpdir(), 'deckhand-0007-')), 'deckhand.db') }), false);

if (await postgresReachable()) {
  const scratches: Array<{ drop: () => Promise<void> }> = [];
  afterAll(async () => {
    for (const scratch of scratches) await scratch.drop();
  });
  upgradeContract(
    'PostgreSQL',
    async () => {
      const scratch = await createScratchDatabase();
      scratches.push(scratch);
      return { file: 'unused', databaseUrl: scratch.url };
    },
    true,
  );
} else {
  describe.skip('migration 0007 on PostgreSQL (no PostgreSQL at 127.0.0.1:5432)', () => {
    it('skipped', () => {});
  });
}
