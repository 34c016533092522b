import { newRecordId } from '../shared/ids.js';
import type { ApprovalConfig, CompactionConfig } from '../config/schema.js';
import type { ModelPrice, PriceBook } from '../models/pricing.js';
import type { PromptCounter } from '../models/token-count.js';
import { lastPromptCalibration, spendBefore } from '../store/spend-queries.js';
import { RunTelemetry, type TelemetrySinks } from '../telemetry/run-telemetry.js';
import { Budget, type BudgetLimits } from './budget.js';
import type { Model, ModelMessage } from '../models/types.js';
import { mergeSignals } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { ApprovalStore } from '../store/approval-store.js';
import type { Store } from '../store/database.js';
import { type InterruptedCalls, loadInterruptedCalls } from '../store/interrupted-calls.js';
import { RunRecorder } from '../store/run-recorder.js';
import { isResumable, RunNotResumableError, RunStore, type StoredRun } from '../store/run-store.js';
import { SessionBusyError } from '../store/session-claim.js';
import { SessionStore } from '../store/session-store.js';
import { ActiveRun, type ActiveRuns } from './active-run.js';
import { Compactor, specTokens, withCompactionUsage } from './compaction.js';
import { type HintedToolExecutor, type RunEvent, type RunOutcome, type RunSettings, type RunTotals, type ToolAddress, ZERO_TOTALS } from '../contracts/index.js';
import { CompositeToolExecutor, OWN_TOOLS_SERVER, OwnTools } from './own-tools.js';
import { PolicyGate } from './policy-gate.js';
import { runAgent } from './run-agent.js';
import { SYSTEM_PROMPT } from './system-prompt.js';

/** What every durable run needs, opened once per process. */
export interface RunContext {
  readonly store: Store;
  readonly model: Model;
  readonly price?: ModelPrice;
  /** Prices by model (a fallback may answer); without it every call is priced with `price`. */
  readonly pricing?: PriceBook;
  /** Budget limits from the config; the run's own USD and token limits come from its settings. */
  readonly budget?: Omit<BudgetLimits, 'run'> & { readonly run?: BudgetLimits['run']; readonly maxOutputTokens?: number | undefined };
  /** Counts prompts for the budget's estimate; default four characters a token. */
  readonly promptCounter?: PromptCounter;
  readonly tools: HintedToolExecutor;
  /** Where spans, metrics and model/tool-call log lines go; each part optional (tracing is off unless configured). */
  readonly telemetry?: TelemetrySinks;
  readonly approval: ApprovalConfig;
  readonly isTrusted: (server: string) => boolean;
  /**
   * Whether a server honours idempotency keys, so a call of it interrupted by a crash is replayed on resume
   * without asking. Default: none does (every such call is asked about).
   */
  readonly isIdempotent?: (server: string) => boolean;
  /** Where a run registers while it executes, so servers' elicitation and sampling requests reach it. */
  readonly activeRuns?: ActiveRuns;
  /** When older turns are summarised. Default: threshold 0.75 of the model's context window. */
  readonly compaction?: CompactionConfig;
  /**
   * Aborts when this process no longer owns the run (its lease, taken by the caller before the run executes, was
   * lost to another process): the run stops here and nothing more is recorded. Without it, the caller vouches
   * that nobody else executes the run (tests, a single process).
   */
  readonly ownership?: AbortSignal;
  readonly signal?: AbortSignal;
}

/**
 * What a run adds to its context: the host's own tools beside the MCP ones, and compaction of what the model is
 * sent (`messages` is the loop's transcript, read live by `summarize_state`).
 */
function equip(context: RunContext, sessionId: string, messages: readonly ModelMessage[]) {
  const sessions = new SessionStore(context.store.db);
  const display = (name: string): string => {
    const address: ToolAddress | undefined = tools.address(name);
    return address ? `${address.server}.${address.tool}` : name;
  };
  const own: OwnTools = new OwnTools({ transcript: () => messages, summary: async () => (await sessions.summary(sessionId)).summary, display });
  const tools: CompositeToolExecutor = new CompositeToolExecutor(own, context.tools);
  const measure = specTokens();
  const compactor = new Compactor({
    model: context.model,
    store: sessions,
    sessionId,
    overheadTokens: () => measure(tools.specs()),
    display,
    ...(context.compaction ? { config: context.compaction } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  });
  return { tools, model: withCompactionUsage(context.model, compactor), prepareMessages: compactor.prepare };
}

function gateFor(
  context: RunContext,
  settings: RunSettings,
  tools: HintedToolExecutor,
  interrupted: InterruptedCalls | undefined,
  recorder: RunRecorder,
): PolicyGate {
  return new PolicyGate({
    beforeWrite: () => recorder.flush(),
    ...(interrupted ? { interrupted } : {}),
    isIdempotent: (server) => server === OWN_TOOLS_SERVER || (context.isIdempotent?.(server) ?? false),
    approvals: new ApprovalStore(context.store.db),
    rules: context.approval.rules,
    yes: settings.yes,
    // The host's own tools are ours: their annotations are believed (the composite hides any server that takes the name).
    isTrusted: (server) => server === OWN_TOOLS_SERVER || context.isTrusted(server),
    hints: (name) => tools.hints(name),
    inputSchema: (name) => tools.specs().find((spec) => spec.name === name)?.inputSchema,
    expiresAfterHours: context.approval.expiresAfterHours,
  });
}

/**
 * Whether a call changes nothing in the world: its tool says it is read-only and its server is believed (as the
 * gate and the tool cache believe annotations). The recorder commits nothing before such a call runs.
 */
function changesNothing(context: RunContext, tools: HintedToolExecutor, modelToolName: string): boolean {
  const address = tools.address(modelToolName);
  if (!address) return false;
  const trusted = address.server === OWN_TOOLS_SERVER || context.isTrusted(address.server);
  return trusted && tools.hints(modelToolName)?.readOnlyHint === true;
}

/** The run as the host's answers to servers' elicitation and sampling requests see it while it executes. */
function activeRun(
  context: RunContext,
  ids: { runId: string; sessionId: string },
  settings: RunSettings,
  totals: RunTotals,
  budget: Budget | undefined,
): ActiveRun {
  const priceOf = context.pricing ? context.pricing.price.bind(context.pricing) : () => context.price;
  return new ActiveRun(
    {
      ...ids,
      model: context.model,
      budgetUsd: settings.budgetUsd ?? null,
      priceOf,
      ...(budget ? { budget } : {}),
      ...(context.promptCounter ? { promptCounter: context.promptCounter } : {}),
      ...(context.price ? { price: context.price } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    },
    totals,
  );
}

/**
 * The run's budget: its settings' USD and token limits over the config's run limits, and the config's session and day
 * limits measured from what the store says they spent before this run. Undefined when nothing is limited.
 */
async function budgetFor(context: RunContext, ids: { runId: string; sessionId: string }, settings: RunSettings): Promise<Budget | undefined> {
  const config = context.budget ?? {};
  const run = {
    ...config.run,
    ...(settings.budgetUsd !== undefined ? { usd: settings.budgetUsd } : {}),
    ...(settings.budgetTokens !== undefined ? { tokens: settings.budgetTokens } : {}),
  };
  const limits: BudgetLimits = { run, ...(config.session ? { session: config.session } : {}), ...(config.day ? { day: config.day } : {}) };
  const maxOutput = config.maxOutputTokens !== undefined ? { maxOutputTokens: config.maxOutputTokens } : {};
  if (new Budget({ limits }).unlimited) return undefined;
  const [baseline, calibration] = await Promise.all([
    config.session || config.day ? spendBefore(context.store.db, { ...ids, at: Date.now() }) : undefined,
    lastPromptCalibration(context.store.db, ids.runId),
  ]);
  const budget = new Budget({ limits, ...(baseline ? { baseline } : {}), ...maxOutput });
  // A resumed run keeps what its earlier calls taught the budget about how far its prompt estimates run low.
  if (calibration) budget.observe(calibration.estimated, calibration.reported);
  return budget;
}

/**
 * Persists each event of `run` before passing it on. The loop promises never to throw; should anything escape
 * it anyway (a store error, a bug), the run still ends: a `failed` run-end with the reason is recorded and
 * yielded, so no run is left `running` with nobody executing it. A run-start refused its session
 * (`SessionBusyError`: nothing was recorded) is thrown on instead.
 */
async function* recorded(
  run: AsyncGenerator<RunEvent, RunOutcome>,
  recorder: RunRecorder,
  start: { runId: string; totals: RunTotals; ownership: AbortSignal | undefined },
): AsyncGenerator<RunEvent, RunOutcome> {
  const { runId, ownership } = start;
  let totals = start.totals;
  // Each event comes once it is stored. Another process owning the run now stops it with the ownership's reason:
  // that process records the run from here on, so nothing more is written here. Once the run has ended (its
  // run-end is stored) there is nothing more to write, and a resume may take it at once.
  const stored = recorder.persisted(run, ownership ? { stop: ownership } : {});
  for (;;) {
    let next: IteratorResult<RunEvent, RunOutcome>;
    try {
      next = await stored.next();
    } catch (error) {
      if (ownership?.aborted) throw ownership.reason;
      // The run-start was refused its session (another run of it executes) and nothing was recorded: the caller
      // is told so (409, exit 4, or a job queued behind), and the run stays as it was, a resume of it still due.
      // Recording a failed end here would mark an interrupted run failed for having found its session busy.
      if (error instanceof SessionBusyError) throw error;
      const message = `The run stopped on an unexpected error: ${errorMessage(error)}`;
      const end: RunEvent = { type: 'run-end', runId, at: Date.now(), outcome: 'failed', text: message, error: message, totals };
      await recorder.record(end);
      yield end;
      return 'failed';
    }
    if (next.done) return next.value;
    if (next.value.type === 'usage' || next.value.type === 'run-end') totals = next.value.totals;
    yield next.value;
  }
}

/**
 * Runs the loop over a session's stored transcript, persisting and tracking it: what start and resume share.
 * The caller owns the run by now (app/'s `executeRun` takes its lease first); losing that ownership
 * (`context.ownership` aborts) cancels the run here.
 */
async function* durableLoop(
  outer: RunContext,
  options: Parameters<typeof ownedLoop>[1],
): AsyncGenerator<RunEvent, RunOutcome> {
  // The caller saw the run resumable before it owned it; another process may have finished it in between.
  if (options.resume) {
    const run = await new RunStore(outer.store.db).load(options.runId);
    if (!isResumable(run)) throw new RunNotResumableError(run);
  }
  const signal = mergeSignals(outer.signal, outer.ownership);
  const context: RunContext = { ...outer, ...(signal ? { signal } : {}) };
  return yield* ownedLoop(context, options);
}

async function* ownedLoop(
  context: RunContext,
  options: {
    runId: string;
    sessionId: string;
    task: string;
    settings: RunSettings;
    /** The new user message; absent when resuming. */
    newTask?: string;
    resume?: { step: number; totals: RunTotals };
  },
): AsyncGenerator<RunEvent, RunOutcome> {
  const { runId, sessionId, settings } = options;
  const sessions = new SessionStore(context.store.db);
  const history = await sessions.messages(sessionId);
  // A run stopped before its first turn was stored (killed during its first model call) has no task in the
  // transcript yet: resuming it starts from the task again.
  const newTask = options.newTask ?? (options.resume && !(await sessions.hasRunMessages(runId)) ? options.task : undefined);
  // The calls of the step the run stopped in: which finished, and which may or may not have had their effect.
  const interrupted = options.resume ? await loadInterruptedCalls(context.store.db, runId, options.resume.step) : undefined;
  const messages: ModelMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }, ...history];
  if (newTask !== undefined) messages.push({ role: 'user', content: newTask });
  const budget = await budgetFor(context, { runId, sessionId }, settings);
  const active = activeRun(context, { runId, sessionId }, settings, options.resume?.totals ?? ZERO_TOTALS, budget);
  using _registered = context.activeRuns?.attach(active);
  const equipped = equip(context, sessionId, messages);
  const { model, prepareMessages } = equipped;
  const telemetry = context.telemetry ? new RunTelemetry(context.telemetry) : undefined;
  const tools = telemetry ? traced(equipped.tools, telemetry) : equipped.tools;
  const recorder = new RunRecorder(context.store, {
    sessionId,
    preamble: 1,
    storedMessages: history.length,
    settings,
    changesNothing: (name) => changesNothing(context, tools, name),
  });
  return yield* observed(
    recorded(
    active.track(
      runAgent({
        model,
        tools,
        prepareMessages,
        messages,
        task: options.task,
        sessionId,
        runId,
        gate: gateFor(context, settings, tools, interrupted, recorder),
        checkpoint: (checkpoint) => recorder.checkpoint({ ...checkpoint, totals: active.combine(checkpoint.totals) }),
        ...(options.resume ? { resume: options.resume } : {}),
        ...(settings.maxSteps !== undefined ? { maxSteps: settings.maxSteps } : {}),
        ...(budget ? { budget } : {}),
        ...(context.promptCounter ? { promptCounter: context.promptCounter } : {}),
        combine: (totals) => active.combine(totals),
        ...(context.pricing ? { priceOf: context.pricing.price.bind(context.pricing) } : {}),
        ...(context.price ? { price: context.price } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    ),
    recorder,
    { runId, totals: options.resume?.totals ?? ZERO_TOTALS, ownership: context.ownership },
    ),
    telemetry,
  );
}

/** Passes each event to the run's telemetry (spans, metrics, logs) after it is recorded. */
async function* observed(run: AsyncGenerator<RunEvent, RunOutcome>, telemetry: RunTelemetry | undefined): AsyncGenerator<RunEvent, RunOutcome> {
  if (!telemetry) return yield* run;
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
    telemetry.observe(next.value);
    yield next.value;
  }
}

/** The tools with each call's trace context handed on, so the MCP request carries `_meta.traceparent`. */
function traced<T extends HintedToolExecutor>(tools: T, telemetry: RunTelemetry): HintedToolExecutor {
  return {
    specs: () => tools.specs(),
    address: (name) => tools.address(name),
    hints: (name) => tools.hints(name),
    call: (name, input, options) => {
      const traceContext = telemetry.traceContext(options.toolCallId, tools.address(name));
      return tools.call(name, input, traceContext ? { ...options, traceContext } : options);
    },
  };
}

/**
 * Starts a run in a session (new or existing): the session's stored transcript plus the new task, with the
 * approval policy as the gate, every event and message persisted as it happens. Yields the run's events.
 */
export function startRun(
  context: RunContext,
  options: { task: string; sessionId?: string; runId?: string; settings: RunSettings },
): AsyncGenerator<RunEvent, RunOutcome> {
  return durableLoop(context, {
    runId: options.runId ?? newRecordId(),
    sessionId: options.sessionId ?? newRecordId(),
    task: options.task,
    newTask: options.task,
    settings: options.settings,
  });
}

/**
 * Continues a stored run from its persisted state: the session transcript as stored, the step it was in (whose
 * tool calls run now if they were approved, with the same idempotency keys, so nothing done before repeats),
 * and what it had spent. `settings` are the run's own unless overridden.
 */
export async function* resumeRun(context: RunContext, run: StoredRun, settings: RunSettings): AsyncGenerator<RunEvent, RunOutcome> {
  if (JSON.stringify(settings) !== JSON.stringify(run.settings)) await new RunStore(context.store.db).saveSettings(run.id, settings);
  return yield* durableLoop(context, {
    runId: run.id,
    sessionId: run.sessionId,
    task: run.task,
    settings,
    resume: { step: run.step, totals: run.totals },
  });
}
