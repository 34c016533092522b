import { ActiveRuns } from '../agent/active-run.js';
import type { RunContext } from '../agent/durable-run.js';
import { ElicitationRouter } from '../agent/elicitation.js';
import { Sampler } from '../agent/sampling.js';
import type { Settings, SettingsFlags } from '../config/load.js';
import { McpHost } from '../mcp/host.js';
import { isStdio } from '../mcp/server-target.js';
import { FallbackModel } from '../models/fallback-model.js';
import { priceRegistryOnFirstUse } from '../models/price-registry.js';
import { type ModelPrice, PriceBook } from '../models/pricing.js';
import { ResilientModel } from '../models/resilient-model.js';
import { defaultModelId, resolveModel } from '../models/resolve.js';
import { loadPromptCounter, type PromptCounter } from '../models/token-count.js';
import type { Model } from '../models/types.js';
import { DEFAULT_TOOL_CACHE_TTL_SECONDS, ToolCache } from '../mcp/tool-cache.js';
import { type Logger, openLogger } from '../shared/logger.js';
import { HostMetrics } from '../telemetry/metrics.js';
import type { TelemetrySinks } from '../telemetry/run-telemetry.js';
import { startTracing } from '../telemetry/tracing.js';
import { ApprovalStore } from '../store/approval-store.js';
import { openStore, type Store } from '../store/database.js';
import { RunLeases } from '../store/run-lease.js';
import { type EarlyServers, startServersEarly } from './early-servers.js';
import { storedOAuth } from './oauth.js';

/** Everything a run needs, opened in the order that fails fastest: settings, model, store, then servers. */
export interface Runtime extends AsyncDisposable {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly model: Model;
  /** Undefined when the model's price is unknown. Looked up when first read (the registry loads then, if needed). */
  readonly price: ModelPrice | undefined;
  /** Prices of every model the run may use (fallbacks included). */
  readonly pricing: PriceBook;
  /** Counts prompt tokens for the budget's pre-call estimate (the model's tokenizer where there is one). */
  readonly promptCounter?: PromptCounter;
  /** Spans (when tracing is on), metrics and log lines of every run. */
  readonly telemetry?: TelemetrySinks & { readonly metrics?: HostMetrics };
  readonly store: Store;
  /** Who executes which run: taken before a run executes, so two processes never execute one. */
  readonly leases: RunLeases;
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

/**
 * Resolves the model (with its fallback chain, each with retries and a timeout); throws `UsageError` for one it
 * cannot resolve, before anything is opened. The bare provider model is `direct`, for checks that want one plain
 * request (doctor).
 */
export function resolveRuntimeModel(settings: Settings): { model: Model; direct: Model } {
  const ids = [settings.modelId ?? defaultModelId(settings.providerEnv), ...settings.fallbackModelIds];
  const models = ids.map((id) => resolveModel(id, settings.providerEnv, settings.providers));
  const direct = models[0]!;
  if (direct.provider === 'offline' && models.length === 1) return { model: direct, direct };
  const resilient = models.map(
    (model) =>
      new ResilientModel(model, {
        ...settings.retry,
        ...(settings.modelTimeoutMs !== undefined ? { timeoutMs: settings.modelTimeoutMs } : {}),
      }),
  );
  return { model: resilient.length === 1 ? resilient[0]! : new FallbackModel(resilient), direct };
}

/**
 * The price book for a runtime: `pricing` overrides, then the bundled registry, loaded on the first lookup that gets
 * past the overrides (a run without a budget makes its first after its first model call, so the registry's load is
 * not on the way to that request).
 */
export function openPricing(settings: Settings): PriceBook {
  return new PriceBook({ overrides: settings.pricing ?? {}, registry: priceRegistryOnFirstUse() });
}

/** Whether any budget limit is set (then prompts are counted with the model's tokenizer before each call). */
function hasBudget(settings: Settings): boolean {
  return [settings.budget.run, settings.budget.session, settings.budget.day].some(
    (limits) => limits !== undefined && Object.values(limits).some((value) => value !== undefined),
  );
}

/**
 * Opens everything a run needs. `early` (from {@link startServersEarly}, by default called here) carries the
 * settings and the built-in servers' shared process, already spawned: its Node start and bundle load (~200 ms) run
 * on the other core while this one resolves the model and loads the log. The host connects to the servers and lists
 * their tools while the store opens (unless a remote server may need a stored login); the shared process opens the
 * database only once the store has migrated and seeded it. The host takes it; anything thrown before that ends it.
 */
export async function openRuntime(flags: SettingsFlags, early: EarlyServers = startServersEarly(flags)): Promise<Runtime> {
  const { settings, storeReady } = early;
  await using prestarted = early.prestarted;
  const { model } = resolveRuntimeModel(settings);
  const pricing = openPricing(settings);
  const promptCounter = hasBudget(settings) ? await loadPromptCounter(model) : undefined;
  const logger = await openLogger({
    level: settings.logLevel,
    dir: settings.logDir,
    stderrLevel: settings.stderrLogLevel,
    secrets: settings.secrets,
  });
  const tracing = await startTracing({ endpoint: settings.otlpEndpoint });
  const metrics = new HostMetrics();
  const toolCache =
    settings.toolCache.enabled === false
      ? undefined
      : new ToolCache({ ttlMs: (settings.toolCache.ttlSeconds ?? DEFAULT_TOOL_CACHE_TTL_SECONDS) * 1_000 });
  const activeRuns = new ActiveRuns();
  // Servers' questions (elicitation, sampling) are answered through the store; none can come before a run, and so
  // before the store is open: the host may start first.
  const answers = Promise.withResolvers<{ readonly elicitation: ElicitationRouter; readonly sampler: Sampler }>();
  const startHost = (oauth?: Awaited<ReturnType<typeof storedOAuth>>) =>
    McpHost.start({
      servers: settings.servers,
      prestarted,
      logger,
      ...(oauth ? { oauth } : {}),
      // Servers' progress notifications become tool-progress events of the run whose call they belong to.
      onProgress: (update) => activeRuns.progress(update),
      elicitation: async (request, context) => (await answers.promise).elicitation.handle(request, context),
      sampling: async (request, context) => (await answers.promise).sampler.handle(request, context),
      ...(settings.toolTimeoutMs ? { callTimeoutMs: settings.toolTimeoutMs } : {}),
      ...(toolCache ? { toolCache, isTrusted: (server: string) => settings.trustedServers.has(server) } : {}),
    });
  const started = performance.now();
  // With no remote server there is no stored OAuth login to read, so the servers connect and list their tools while
  // the store opens (the built-in ones do so before their database is ready). Remote servers start after it: a
  // stored login may be needed to reach them.
  const remote = Object.values(settings.servers).some((config) => !isStdio(config));
  const starting = remote ? undefined : startHost();
  // While the servers start (their answers arrive with gaps on this thread), the provider's package and Node's fetch
  // load here instead of on the way to the first request. A failure shows there, where it would have anyway.
  void model.prepare?.().catch(() => {});
  let store: Store;
  try {
    store = await openStore({ file: settings.dbFile, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  } catch (error) {
    await (await starting)?.close();
    await tracing?.shutdown();
    logger.close();
    throw error;
  }
  storeReady.resolve();
  const elicitation = new ElicitationRouter({
    approvals: new ApprovalStore(store.db),
    runs: activeRuns,
    timeoutMs: settings.approval.elicitationTimeoutSeconds * 1_000,
    logger,
  });
  answers.resolve({ elicitation, sampler: new Sampler({ runs: activeRuns, db: store.db }) });
  let host: McpHost;
  try {
    // Remote servers that `deckhand mcp login` authorized start with their stored tokens (refreshed as needed).
    host = await (starting ?? startHost(await storedOAuth(settings, store)));
  } catch (error) {
    await store.close();
    await tracing?.shutdown();
    logger.close();
    throw error;
  }
  const serversStartMs = performance.now() - started;
  const close = async () => {
    await host.close();
    await store.close();
    await tracing?.shutdown();
    logger.close();
  };
  return {
    settings,
    logger,
    model,
    // Read by the renderer and the run only once a price is needed, so the registry loads no earlier.
    get price() {
      return pricing.price(model);
    },
    pricing,
    ...(promptCounter ? { promptCounter } : {}),
    telemetry: {
      ...(tracing ? { tracer: tracing.tracer, mcpSessionId: (server: string) => host.connection(server)?.sessionId } : {}),
      metrics,
      logger,
    },
    store,
    leases: new RunLeases(store.db, settings.runLeaseTtlMs !== undefined ? { ttlMs: settings.runLeaseTtlMs } : {}),
    host,
    activeRuns,
    elicitation,
    serversStartMs,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The run context of a runtime: its store, model, servers, approval policy and compaction settings. */
export function runContext(runtime: Runtime, signal?: AbortSignal): RunContext {
  return {
    store: runtime.store,
    model: runtime.model,
    // No `price`: the pricing prices every model of the run (fallbacks too), and reading it now would load the registry.
    pricing: runtime.pricing,
    budget: runtime.settings.budget,
    ...(runtime.promptCounter ? { promptCounter: runtime.promptCounter } : {}),
    ...(runtime.telemetry ? { telemetry: runtime.telemetry } : {}),
    tools: runtime.host,
    activeRuns: runtime.activeRuns,
    approval: runtime.settings.approval,
    isTrusted: (server) => runtime.settings.trustedServers.has(server),
    isIdempotent: (server) => runtime.settings.idempotentServers.has(server),
    ...(runtime.settings.compaction ? { compaction: runtime.settings.compaction } : {}),
    ...(signal ? { signal } : {}),
  };
}
