import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, freshWorkspace, runCli } from './helpers/cli.js';
import { fingerprint, REAL_HOME_ENV } from './helpers/real-home.js';

// Invariant: nothing the suite runs writes under the real ~/.deckhand, not even a child that loses DECKHAND_HOME.
describe('test isolation from the real home', () => {
  const realHome = process.env[REAL_HOME_ENV];

  it('runs the test workers with a temporary HOME and says where the real one is', () => {
    expect(realHome).toBeTruthy();
    expect(homedir()).not.toBe(realHome);
  });

  it('gives spawned CLI children a temporary HOME, so a child without DECKHAND_HOME stays off the real one', async () => {
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home);
    expect(env.HOME).toBeTruthy();
    expect(env.HOME).not.toBe(realHome);
    const before = fingerprint(join(realHome!, '.deckhand'));
    delete env.DECKHAND_HOME;
    const result = await runCli(['audit', 'verify', '--json'], { env, cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(env.HOME!, '.deckhand', 'deckhand.db'))).toBe(true);
    expect(fingerprint(join(realHome!, '.deckhand'))).toEqual(before);
  });
});
