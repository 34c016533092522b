/**
 * @module A runtime with no MCP servers and a silent logger over a store the caller opened: what in-process tests
 * of app/ (run-manager.test.ts) and the API benches (sections 5 and 7) run on. One copy, so a field added to
 * `Runtime` is added here once.
 */
import { ActiveRuns } from '../../agent/active-run.js';
import { ElicitationRouter } from '../../agent/elicitation.js';
import type { Settings } from '../../config/load.js';
import { McpHost } from '../../mcp/host.js';
import type { ModelPrice } from '../../models/pricing.js';
import type { Model } from '../../models/types.js';
import { noopLogger } from '../../shared/logger.js';
import { ApprovalStore } from '../../store/approval-store.js';
import type { Store } from '../../store/database.js';
import { RunLeases } from '../../store/run-lease.js';
import { openPricing, type Runtime } from '../runtime.js';

/** `price`: the model's price (undefined: unknown, as for an unpriced model). `close` closes the store too. */
export async function serverlessRuntime(settings: Settings, store: Store, model: Model, price?: ModelPrice): Promise<Runtime> {
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
    price,
    pricing: openPricing(settings),
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
