import { ActiveRuns } from '../agent/active-run.js';
import type { HintedToolExecutor, RunContext } from '../agent/durable-run.js';
import { ElicitationRouter } from '../agent/elicitation.js';
import { Sampler } from '../agent/sampling.js';
import { type Settings, type SettingsFlags, loadSettings } from '../config/load.js';
import { McpHost } from '../mcp/host.js';
import { DEFAULT_PRICES, findPrice, type ModelPrice } from '../models/pricing.js';
import { defaultModelId, resolveModel } from '../models/resolve.js';
import type { Model } from '../models/types.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { ApprovalStore } from '../store/approval-store.js';
import { openStore, type Store } from '../store/database.js';

/** Everything a run needs, opened in the order that fails fastest: settings, model, store, then servers. */
export interface Runtime extends AsyncDisposable {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly model: Model;
  /** Undefined when the model's price is unknown. */
  readonly price: ModelPrice | undefined;
  readonly store: Store;
  readonly host: McpHost;
  /** The runs executing in this process: servers' elicitation and sampling requests are answered for them. */
  readonly activeRuns: ActiveRuns;
  /** Routes servers' elicitation requests through the approval path; `usePrompt` adds the terminal. */
  readonly elicitation: ElicitationRouter;
  /** Milliseconds the servers took to start, in parallel. */
  readonly serversStartMs: number;
  close(): Promise<void>;
}

export const OFFLINE_NOTE = 'offline planner — set OPENAI_API_KEY or --model for full autonomy';

/** Resolves the model id and model; throws `UsageError` before anything is spawned. */
export function resolveRuntimeModel(settings: Settings): { model: Model; price: ModelPrice | undefined } {
  const model = resolveModel(settings.modelId ?? defaultModelId(settings.providerEnv), settings.providerEnv);
  const price = model.provider === 'offline' ? { inputPerMTok: 0, outputPerMTok: 0 } : findPrice(model.modelName, { ...DEFAULT_PRICES, ...settings.pricing });
  return { model, price };
}

export async function openRuntime(flags: SettingsFlags): Promise<Runtime> {
  const settings = loadSettings({ flags });
  const { model, price } = resolveRuntimeModel(settings);
  const logger = createLogger({ level: settings.logLevel, file: settings.logFile });
  const store = await openStore({ file: settings.dbFile, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  const activeRuns = new ActiveRuns();
  const elicitation = new ElicitationRouter({
    approvals: new ApprovalStore(store.db),
    runs: activeRuns,
    timeoutMs: settings.approval.elicitationTimeoutSeconds * 1_000,
    logger,
  });
  const started = performance.now();
  let host: McpHost;
  try {
    host = await McpHost.start({
      servers: settings.servers,
      logger,
      elicitation: elicitation.handle,
      sampling: new Sampler({ runs: activeRuns, db: store.db }).handle,
      ...(settings.toolTimeoutMs ? { callTimeoutMs: settings.toolTimeoutMs } : {}),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const serversStartMs = performance.now() - started;
  const close = async () => {
    await host.close();
    await store.close();
  };
  return { settings, logger, model, price, store, host, activeRuns, elicitation, serversStartMs, close, [Symbol.asyncDispose]: close };
}

/** The run context of a runtime: its store, model, servers, approval policy and compaction settings. */
export function runContext(runtime: Runtime, signal?: AbortSignal): RunContext {
  return {
    store: runtime.store,
    model: runtime.model,
    ...(runtime.price ? { price: runtime.price } : {}),
    tools: runtime.host as HintedToolExecutor,
    activeRuns: runtime.activeRuns,
    approval: runtime.settings.approval,
    isTrusted: (server) => runtime.settings.trustedServers.has(server),
    ...(runtime.settings.compaction ? { compaction: runtime.settings.compaction } : {}),
    ...(signal ? { signal } : {}),
  };
}
