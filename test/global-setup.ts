import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedEntries, fingerprint, REAL_HOME_ENV } from './helpers/real-home.js';

/**
 * Builds `dist/` once (the CLI and server tests run the bundled entry points as real processes), and keeps the
 * suite off the real `~/.deckhand`: every test worker and every process it spawns inherits a temporary `HOME`,
 * and the run fails if anything under the real `~/.deckhand` was added, removed or changed meanwhile.
 */
export default function setup(): () => void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

  const realHome = process.env[REAL_HOME_ENV] ?? homedir();
  const realData = join(realHome, '.deckhand');
  const before = fingerprint(realData);
  const testHome = mkdtempSync(join(tmpdir(), 'deckhand-test-home-'));
  process.env[REAL_HOME_ENV] = realHome;
  process.env.HOME = testHome;
  process.env.USERPROFILE = testHome;
  delete process.env.DECKHAND_HOME;
  delete process.env.DATABASE_URL;

  return () => {
    rmSync(testHome, { recursive: true, force: true });
    const changed = changedEntries(before, fingerprint(realData));
    if (changed.length > 0) {
      throw new Error(
        `The tests wrote under the real ${realData} (tests must use a temporary DECKHAND_HOME and HOME):\n${changed.slice(0, 20).join('\n')}`,
      );
    }
  };
}
