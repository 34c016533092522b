import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

/** No stack trace and one line: what a person sees for a configuration problem. */
function expectOneSentence(stderr: string, pattern: RegExp): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toMatch(/EACCES:|ENOTDIR:|Database migration/);
}

/** `chattr +i` makes a path immutable even for root (the suite may run as root, for whom permissions do not bind). */
function immutable(path: string, on: boolean): boolean {
  return spawnSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' }).status === 0;
}
const frozen: string[] = [];
afterEach(() => {
  for (const path of frozen.splice(0)) immutable(path, false);
});
const canFreeze = (() => {
  const { cwd } = freshWorkspace();
  const probe = join(cwd, 'probe');
  writeFileSync(probe, '');
  const ok = immutable(probe, true);
  immutable(probe, false);
  return ok;
})();

const TASK = ['run', 'Check order XYZ-789', '--model', 'offline'];

// Invariant: a data dir or database that cannot work is a configuration problem: exit 2 and one sentence naming the fix.
describe('data dir and store edges', () => {
  it('a DECKHAND_HOME that is a file exits 2', async () => {
    const { cwd } = freshWorkspace();
    const file = join(cwd, 'not-a-dir');
    writeFileSync(file, 'x');
    const result = await runCli(TASK, { env: cliEnv(file), cwd });
    expect(result.code, result.stderr).toBe(2);
    expectOneSentence(result.stderr, /not a folder.*DECKHAND_HOME/);
  });

  it.skipIf(!canFreeze)('a DECKHAND_HOME that cannot be written exits 2', async () => {
    const { home, cwd } = freshWorkspace();
    mkdirSync(home, { recursive: true });
    expect(immutable(home, true)).toBe(true);
    frozen.push(home);
    const result = await runCli(TASK, { env: cliEnv(home), cwd });
    expect(result.code, result.stderr).toBe(2);
    expectOneSentence(result.stderr, /Cannot write to the data dir .*DECKHAND_HOME/);
  });

  it.skipIf(!canFreeze)('a read-only database exits 2 before the run starts', async () => {
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home);
    expect((await runCli(['seed'], { env, cwd })).code).toBe(0);
    expect(immutable(join(home, 'deckhand.db'), true)).toBe(true);
    frozen.push(join(home, 'deckhand.db'));
    const result = await runCli(TASK, { env, cwd });
    expect(result.code, result.stderr).toBe(2);
    expectOneSentence(result.stderr, /deckhand\.db is read-only/);
    expect(result.stdout).toBe('');
  });

  it('an unreachable PostgreSQL exits 2', async () => {
    const { home, cwd } = freshWorkspace();
    // Port 1 on 127.0.0.1: nothing listens there, the connection is refused at once.
    const result = await runCli(TASK, { env: cliEnv(home, { DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:1/test' }), cwd });
    expect(result.code, result.stderr).toBe(2);
    expectOneSentence(result.stderr, /Cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test \(ECONNREFUSED\)/);
    expect(result.stderr).not.toContain(':pw@');
  });

  it('a DATABASE_URL without a user exits 2', async () => {
    const { home, cwd } = freshWorkspace();
    const result = await runCli(TASK, { env: cliEnv(home, { DATABASE_URL: 'postgres://127.0.0.1:5432/test' }), cwd });
    expect(result.code, result.stderr).toBe(2);
    expectOneSentence(result.stderr, /DATABASE_URL.*user/);
  });
});
