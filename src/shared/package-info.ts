import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };

/** Deckhand's version, from package.json (bundled in, so no file is read at run time). */
export const VERSION: string = packageJson.version;

/**
 * The package's root folder, found by walking up from this module: the same answer from the bundled
 * `dist/cli.js` and from the sources under vitest.
 */
export function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('Could not find the deckhand package root.');
    folder = parent;
  }
  return folder;
}

/** The bundled entry point that runs one built-in MCP server over stdio (`node dist/server.js crm`). */
export function builtinServerEntry(): string {
  return join(packageRoot(), 'dist', 'server.js');
}
