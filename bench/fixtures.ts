/**
 * @module Paths and prepared data the bench sections share.
 */
import { join } from 'node:path';
import { loadSettings } from '../src/config/load.js';
import type { StdioServerConfig } from '../src/config/schema.js';
import { isStdio } from '../src/mcp/server-target.js';
import { builtinServerEntry } from '../src/shared/package-info.js';
import { ActiveRuns } from '../src/agent/active-run.js';
import { ElicitationRouter } from '../src/agent/elicitation.js';
import { openPricing, type Runtime } from '../src/app/runtime.js';
import type { Settings } from '../src/config/load.js';
import { McpHost } from '../src/mcp/host.js';
import type { Model } from '../src/models/types.js';
import { noopLogger } from '../src/shared/logger.js';
import { ApprovalStore } from '../src/store/approval-store.js';
import { openStore, type Store } from '../src/store/database.js';
import { RunLeases } from '../src/store/run-lease.js';
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

/** A runtime with no MCP servers, a free model and a silent logger, over `store`: what the API benches serve from. */
export async function serverlessRuntime(settings: Settings, store: Store, model: Model): Promise<Runtime> {
  const activeRuns = new ActiveRuns();
  const host = await McpHost.start({ servers: {} });
  const close = async () => {
    await host.close();
    await store.close();
  };
  return {
    settings,
    logger: noopLogger,
    model,
    price: { inputPerMTok: 0, outputPerMTok: 0 },
    pricing: await openPricing(settings, model),
    store,
    leases: new RunLeases(store.db),
    host,
    activeRuns,
    elicitation: new ElicitationRouter({ approvals: new ApprovalStore(store.db), runs: activeRuns, logger: noopLogger }),
    serversStartMs: 0,
    close,
    [Symbol.asyncDispose]: close,
  };
}
