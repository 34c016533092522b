/**
 * Process entry of the built-in MCP servers, bundled as `dist/server.js` so the host can spawn it cheaply:
 * `node dist/server.js <name>` serves one over stdio, `node dist/server.js --shared <name>…` several on sockets
 * (how the host runs them, see serve-shared.ts). `DECKHAND_DB` (the SQLite file) is set by the host, and
 * `DECKHAND_DB_READY=1` when the host has already migrated and seeded it (then the servers do not).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SHARED_PROCESS_FLAG } from '../config/shared-process.js';
import { errorMessage } from '../shared/errors.js';
import { DB_READY_ENV } from './open-server-database.js';
import { serveBuiltinShared } from './serve-shared.js';
import { serveBuiltinStdio } from './serve-stdio.js';

const [first = '', ...rest] = process.argv.slice(2);
const home = process.env.DECKHAND_HOME ?? join(homedir(), '.deckhand');
const store = {
  dbFile: process.env.DECKHAND_DB ?? join(home, 'deckhand.db'),
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  ready: process.env[DB_READY_ENV] === '1',
};
const shared = first === SHARED_PROCESS_FLAG;

(shared ? serveBuiltinShared({ names: rest, env: process.env, ...store }) : serveBuiltinStdio({ name: first, ...store })).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`deckhand ${shared ? `shared servers (${rest.join(', ')})` : `${first} server`}: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
