import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Checks the better-sqlite3 addon for the code that Node 24.19+ headers compile into every ObjectWrap:
 * its destructor removes an environment cleanup hook, and when the garbage collector finalizes a statement
 * outside a JS context Node aborts with `Assertion failed: (env) != nullptr`. Returns a warning, or
 * undefined when the addon is safe.
 */
export function sqliteAddonHazard(): string | undefined {
  const require = createRequire(import.meta.url);
  const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  let binary: Buffer;
  try {
    binary = readFileSync(addon);
  } catch {
    return `better-sqlite3's native addon is missing (${addon}); run \`npm rebuild better-sqlite3\`.`;
  }
  if (!binary.includes('RemoveEnvironmentCleanupHook')) return undefined;
  return (
    'better-sqlite3 was built against Node 24.19+ headers, which can abort the process at random ' +
    "('Assertion failed: (env) != nullptr'); rebuild it under Node 24.18: `. scripts/bootstrap-node.sh && npm rebuild better-sqlite3`."
  );
}
