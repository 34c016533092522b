/**
 * Process entry of a built-in MCP server, bundled as `dist/server.js` so the host can spawn it cheaply:
 * `node dist/server.js <name>`, with `DECKHAND_DB` (the SQLite file) set by the host, and `DECKHAND_DB_READY=1`
 * when the host has already migrated and seeded it (then the server does not).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { DB_READY_ENV } from './open-server-database.js';
import { serveBuiltinStdio } from './serve-stdio.js';

const name = process.argv[2] ?? '';
const home = process.env.DECKHAND_HOME ?? join(homedir(), '.deckhand');
const dbFile = process.env.DECKHAND_DB ?? join(home, 'deckhand.db');

serveBuiltinStdio({
  name,
  dbFile,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  ready: process.env[DB_READY_ENV] === '1',
}).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`deckhand ${name} server: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
