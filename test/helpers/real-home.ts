/**
 * @module The guard that keeps the test suite off the real `~/.deckhand`: a fingerprint of that folder (every
 * entry with its size and modification time) taken before the suite and compared after it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable the global setup uses to tell test files where the real home is. */
export const REAL_HOME_ENV = 'DECKHAND_TEST_REAL_HOME';

/** Every path under `dir` (recursively) with its size and mtime, sorted; empty when `dir` does not exist. */
export function fingerprint(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path);
    entries.push(`${path} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return entries.sort();
}

/** The entries that differ between two fingerprints (added, removed or changed), for the failure message. */
export function changedEntries(before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  const now = new Set(after);
  return [...after.filter((entry) => !was.has(entry)).map((entry) => `+ ${entry}`), ...before.filter((entry) => !now.has(entry)).map((entry) => `- ${entry}`)];
}
