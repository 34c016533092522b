import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const PROCESSES = 10;

describe('first run on a fresh SQLite home', () => {
  // Invariant: any number of `deckhand run` processes started together on a new DECKHAND_HOME all work; none
  // fails with "database is locked" while another is creating, switching to WAL, migrating or seeding the file.
  it(`${PROCESSES} runs started at once on a new home all finish, each with its own run recorded`, { timeout: 180_000 }, async () => {
    const { home, cwd } = freshWorkspace();
    // One built-in server per run keeps the machine's load bounded; it still opens the same fresh file.
    writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['crm'] }));
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        runCli(['run', 'What is the email of the customer of order XYZ-789?', '--json'], { env: cliEnv(home), cwd, timeoutMs: 150_000 }),
      ),
    );
    const failures = results.filter((result) => result.code !== 0).map((result) => `exit ${result.code}: ${result.stderr.trim()}`);
    expect(failures).toEqual([]);
    for (const result of results) expect(parseJsonLines(result.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });

    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      expect(db.prepare('select count(*) as count from runs where status = ?').get('finished')).toEqual({ count: PROCESSES });
      // Seeded once, not once per process.
      expect(db.prepare("select count(*) as count from customers where name = 'Lisa Park'").get()).toEqual({ count: 1 });
      expect(db.prepare('pragma journal_mode').get()).toEqual({ journal_mode: 'wal' });
    } finally {
      db.close();
    }
  });
});
