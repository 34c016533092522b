import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';

const scratchFile = () => join(mkdtempSync(join(tmpdir(), 'deckhand-open-')), 'data', 'test.db');

describe('openDatabase options.openWhen', () => {
  // Invariant: a process told to wait (a shared server process whose host is still migrating) touches no file until
  // told, and its queries made meanwhile wait instead of failing.
  it('returns at once, opens nothing until it resolves, and runs a query made meanwhile once it does', async () => {
    const file = scratchFile();
    const when = Promise.withResolvers<void>();
    const opened = await openDatabase({ file, openWhen: when.promise });
    expect(opened.sqlite).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    const query = sql<{ answer: number }>`select 42 as answer`.execute(opened.db);
    when.resolve();
    expect((await query).rows).toEqual([{ answer: 42 }]);
    expect(existsSync(file)).toBe(true);
    expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(opened.db)).rows[0]?.journal_mode).toBe('wal');
    await opened.close();
  });

  it('fails its queries with the reason when it rejects, and closes without having opened anything', async () => {
    const file = scratchFile();
    const when = Promise.withResolvers<void>();
    const opened = await openDatabase({ file, openWhen: when.promise });
    const query = sql`select 1`.execute(opened.db);
    when.reject(new Error('the host went away'));
    await expect(query).rejects.toThrow('the host went away');
    await opened.close();
    expect(existsSync(file)).toBe(false);
  });

  it('closes at once when nothing was ever asked of it', async () => {
    const opened = await openDatabase({ file: scratchFile(), openWhen: new Promise(() => {}) });
    await opened.close();
  });

  it('takes no prepare steps: preparing is for whoever opens it first', async () => {
    await expect(openDatabase({ file: scratchFile(), openWhen: Promise.resolve(), prepare: [async () => {}] })).rejects.toThrow(/takes no prepare steps/);
  });
});
