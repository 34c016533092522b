/**
 * @module Paths and prepared data the bench sections share.
 */
import { join } from 'node:path';
import { loadSettings } from '../src/config/load.js';
import type { StdioServerConfig } from '../src/config/schema.js';
import { isStdio } from '../src/mcp/server-target.js';
import { builtinServerEntry } from '../src/shared/package-info.js';
import type { Runtime } from '../src/app/runtime.js';
import { serverlessRuntime } from '../src/app/testing/serverless-runtime.js';
import type { Model } from '../src/models/types.js';
import { openStore } from '../src/store/database.js';
import type { BenchResources } from './resources.js';

/** A file of the repository (the bundle runs from `dist/`, so resolve from the built server entry). */
export function repoFile(...parts: string[]): string {
  return join(builtinServerEntry(), '..', '..', ...parts);
}

/**
 * A fresh `DECKHAND_HOME` with a migrated, seeded database, and the built-in servers' stdio configs exactly as
 * the CLI builds them (`loadSettings`: `node dist/server.js <name>` with `DECKHAND_DB`).
 */
export async function preparedHome(
  resources: BenchResources,
): Promise<{ home: string; servers: Record<string, StdioServerConfig> }> {
  const home = resources.tempDir('home');
  const settings = loadSettings({ env: { DECKHAND_HOME: home }, cwd: home });
  const store = await openStore({ file: settings.dbFile });
  await store.close();
  const servers: Record<string, StdioServerConfig> = {};
  for (const [name, config] of Object.entries(settings.servers)) {
    if (!isStdio(config)) throw new Error(`built-in server ${name} is not a stdio server`);
    servers[name] = config;
  }
  return { home, servers };
}

/** What the API benches charge: nothing, so a run's cost never stops it. */
const FREE = { inputPerMTok: 0, outputPerMTok: 0 } as const;

/**
 * A runtime with no MCP servers, a free model and a silent logger over a fresh `DECKHAND_HOME` (its SQLite file,
 * or `databaseUrl`'s PostgreSQL): what the API benches (sections 5 and 7) serve from. `close` closes the store.
 */
export async function scratchRuntime(resources: BenchResources, label: string, model: Model, databaseUrl?: string): Promise<Runtime> {
  const home = resources.tempDir(label);
  const settings = loadSettings({ env: { DECKHAND_HOME: home, DECKHAND_LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, cwd: home });
  const store = await openStore({ file: settings.dbFile, ...(databaseUrl ? { databaseUrl } : {}) });
  return serverlessRuntime(settings, store, model, FREE);
}
