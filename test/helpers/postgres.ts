import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import type { OpenStoreOptions } from '../../src/store/database.js';

/** The PostgreSQL that runs on every machine of this project; override with DECKHAND_TEST_POSTGRES_URL. */
export const ADMIN_URL = process.env.DECKHAND_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when the test PostgreSQL answers within a second. */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database for one test file; `drop()` removes it (closing stray connections). */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `deckhand_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: ADMIN_URL });
      await dropper.connect();
      try {
        // A closed store's pool may still be hanging up; forcing the drop then kills a connection its owner
        // has not let go of, which surfaces as an unhandled error in that test. Wait (bounded) for them to go.
        for (let attempt = 0; attempt < 100; attempt++) {
          const { rows } = await dropper.query<{ sessions: number }>('select count(*)::int as sessions from pg_stat_activity where datname = $1', [name]);
          if (rows[0]?.sessions === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Runs a store contract on a fresh SQLite file, then on a scratch PostgreSQL database (dropped after the file)
 * when the test PostgreSQL answers; when it does not, registers a skipped suite so the report says what did not
 * run. The store-level twin of `forEachBackend` (src/servers/testing/server-harness.ts). Call it at the top level
 * of a test file (`await forEachStore('store contract', contract)`).
 */
export async function forEachStore(suite: string, contract: (name: string, options: () => OpenStoreOptions) => void): Promise<void> {
  contract('sqlite', () => ({ file: join(mkdtempSync(join(tmpdir(), 'deckhand-store-')), 'deckhand.db') }));
  if (!(await postgresReachable())) {
    describe.skip(`${suite}: postgresql (no PostgreSQL at ${new URL(ADMIN_URL).host})`, () => {
      it('skipped', () => {});
    });
    return;
  }
  const scratch = await createScratchDatabase();
  afterAll(async () => {
    await scratch.drop();
  });
  contract('postgresql', () => ({ file: 'unused', databaseUrl: scratch.url }));
}
