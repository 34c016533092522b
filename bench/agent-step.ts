/**
 * @module Host overhead per agent step: `runAgent` driven by a zero-latency model and an in-process tool,
 * against a hand-written minimal loop doing the same work, in the same process.
 *
 * A run is 200 tool steps (the model calls one tool, the tool answers at once) and a final answer step.
 * Step k's time is the gap between the `step-start` events of steps k and k+1 (`performance.now()`, taken in
 * the consumer's `for await`), so it covers the model call, the tool call, every event of the step and the
 * generator hand-offs; the final answer step and the run's start and end are left out of the per-step
 * distribution and show up only in the wall-clock mean per step (run time / 201 model calls).
 */
import { randomUUID } from 'node:crypto';
import { newRecordId } from '../src/shared/ids.js';
import { createOpenAI } from '@ai-sdk/openai';
import pg from 'pg';
import type { RunEvent, ToolAddress, ToolExecutor, ToolOutcome, ToolSpec } from '../src/contracts/index.js';
import { runAgent } from '../src/agent/run-agent.js';
import { SYSTEM_PROMPT } from '../src/agent/system-prompt.js';
import { AiSdkModel } from '../src/models/ai-sdk/ai-sdk-model.js';
import type { LanguageModelV4, V4StreamPart } from '../src/models/ai-sdk/v4-types.js';
import type { ModelPrice } from '../src/models/pricing.js';
import type { ProviderEndpoint } from '../src/models/provider-errors.js';
import { ScriptedModel, type ScriptedTurn } from '../src/models/testing/scripted-model.js';
import type { Model, ModelMessage, ToolCall, ToolResultPart } from '../src/models/types.js';
import { openStore, type Store } from '../src/store/database.js';
import { RunRecorder } from '../src/store/run-recorder.js';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { HostMetrics } from '../src/telemetry/metrics.js';
import { RunTelemetry } from '../src/telemetry/run-telemetry.js';
import { type AllocationSample, measureAllocation } from './allocation.js';
import { inMemoryFetch, TEXT_ANSWER_SSE, toolCallSse } from './fake-openai.js';
import type { BenchResources } from './resources.js';
import { round, type Summary, summarize } from './stats.js';
import { bytes, num } from './report.js';

/** Tool steps in a timed run; the run then ends with one answer step. */
export const TOOL_STEPS_PER_RUN = 200;
const WARMUP_RUNS = 10;
const TIMED_ROUNDS = 10;
const RUNS_PER_ROUND = 3;
/** Run lengths whose allocation differences give the marginal bytes of steps 11–50 and 161–200. */
const ALLOCATION_LENGTHS = [10, 50, 160, 200] as const;
const ALLOCATION_RUNS = 10;
const EARLY_STEPS = [1, 10] as const;
const LATE_STEPS = [191, 200] as const;

const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';
const PRICE: ModelPrice = { inputPerMTok: 0.4, outputPerMTok: 1.6 };
const USAGE = { inputTokens: 1_200, outputTokens: 24 };
const CALL: ToolCall = { id: 'call_bench_1', name: 'crm__getCustomerEmail', input: { order_id: 'XYZ-789' } };

const TOOL_SPECS: readonly ToolSpec[] = [
  {
    name: 'crm__getCustomerEmail',
    description: 'Look up the email address of the customer who placed an order.',
    inputSchema: {
      type: 'object',
      properties: { order_id: { type: 'string', description: 'Order id, e.g. XYZ-789' } },
      required: ['order_id'],
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  },
  {
    name: 'email__sendEmail',
    description: 'Send an email to a customer.',
    inputSchema: {
      type: 'object',
      properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
      required: ['to', 'subject', 'body'],
    },
    annotations: { destructiveHint: false, openWorldHint: true },
  },
];

/** Whether a model tool name is one of {@link TOOL_SPECS}' read-only tools. */
function readOnlyTool(modelToolName: string): boolean {
  return TOOL_SPECS.find((spec) => spec.name === modelToolName)?.annotations?.readOnlyHint === true;
}

/** A tool executor with no I/O: every call answers at once, from a ring of outcomes built up front. */
class ConstantToolExecutor implements ToolExecutor {
  private readonly addresses = new Map<string, ToolAddress>(
    TOOL_SPECS.map((spec) => {
      const [server = '', tool = ''] = spec.name.split('__');
      return [spec.name, { server, tool }];
    }),
  );
  // Distinct results, built once: the loop's runaway protection stops a run whose call and result repeat three
  // times, and a run here has up to 200 identical calls. A ring longer than any run keeps every round distinct.
  private readonly outcomes: readonly ToolOutcome[] = Array.from({ length: 256 }, (_, index) => ({
    isError: false,
    text: `lisa.park@example.com (Lisa Park, customer CUST-1001, order XYZ-789) #${index}`,
  }));
  private calls = 0;

  specs(): readonly ToolSpec[] {
    return TOOL_SPECS;
  }

  address(modelToolName: string): ToolAddress | undefined {
    return this.addresses.get(modelToolName);
  }

  async call(_name: string, _input: Record<string, unknown>, _options: { toolCallId: string }): Promise<ToolOutcome> {
    this.calls = (this.calls + 1) % this.outcomes.length;
    return this.outcomes[this.calls]!;
  }
}

/** One run of `toolSteps` tool steps and an answer; fills `stamps[k - 1]` at step k's start and `stamps[toolSteps + 1]` at the end. */
type Run = (stamps?: Float64Array) => Promise<void>;

interface Variant {
  readonly key: string;
  readonly label: string;
  /** A run factory; models are built per run length because scripted turns are per length. */
  readonly create: (toolSteps: number) => Run;
}

function initialMessages(): ModelMessage[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: TASK },
  ];
}

function scriptedModel(toolSteps: number): ScriptedModel {
  const toolTurn: ScriptedTurn = { toolCalls: [CALL], usage: USAGE };
  const turns: ScriptedTurn[] = [...Array.from({ length: toolSteps }, () => toolTurn), { text: 'done', usage: USAGE }];
  return new ScriptedModel(turns, { loop: true, recordRequests: false });
}

/** A provider model with no I/O: each `doStream` yields one tool call (or, every `toolSteps + 1`th call, an answer). */
function zeroLatencyV4Model(toolSteps: number): LanguageModelV4 {
  let calls = 0;
  const usage = {
    inputTokens: { total: USAGE.inputTokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: USAGE.outputTokens, text: undefined, reasoning: undefined },
  };
  const toolParts: V4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'tool-call', toolCallId: CALL.id, toolName: CALL.name, input: JSON.stringify(CALL.input) },
    { type: 'finish', usage, finishReason: { unified: 'tool-calls', raw: 'tool_calls' } },
  ];
  const answerParts: V4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-delta', id: 't', delta: 'done' },
    { type: 'finish', usage, finishReason: { unified: 'stop', raw: 'stop' } },
  ];
  return {
    specificationVersion: 'v4',
    provider: 'bench',
    modelId: 'zero-latency',
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('the bench model only streams')),
    doStream: async () => {
      calls += 1;
      const parts = calls % (toolSteps + 1) === 0 ? answerParts : toolParts;
      return {
        stream: new ReadableStream<V4StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}

function endpoint(provider: string, modelName: string): ProviderEndpoint {
  return {
    provider,
    modelId: `${provider}:${modelName}`,
    modelName,
    baseUrl: 'http://127.0.0.1:9/v1',
    baseUrlVariable: 'OPENAI_BASE_URL',
    wireFormat: 'Chat Completions',
    baseUrlShape: 'an OpenAI-compatible /v1 base',
  };
}

/** The real `@ai-sdk/openai` Chat Completions model over a `fetch` that answers from memory. */
function inMemoryOpenAIModel(toolSteps: number): Model {
  const toolAnswer = toolCallSse(CALL);
  let requests = 0;
  const fetch = inMemoryFetch(() => {
    requests += 1;
    return requests % (toolSteps + 1) === 0 ? TEXT_ANSWER_SSE : toolAnswer;
  });
  const languageModel = createOpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1', fetch }).chat('gpt-4.1-mini');
  return new AiSdkModel({ languageModel, endpoint: endpoint('openai', 'gpt-4.1-mini') });
}

/** Spans are made and batched, then dropped: the cost of tracing on, without a collector's. */
class DiscardingExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** Telemetry as a runtime has it: metrics always, spans only with tracing on. */
function telemetryFactory(tracing: boolean): () => RunTelemetry {
  const metrics = new HostMetrics();
  const tracer = tracing
    ? new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new DiscardingExporter() })] }).getTracer('bench')
    : undefined;
  return () => new RunTelemetry({ metrics, ...(tracer ? { tracer } : {}) });
}

/**
 * `runAgent` over `model`; with `store`, every event is also persisted by a `RunRecorder`, as `deckhand run` does;
 * with `telemetry`, every event is also observed (spans, metrics), as a durable run does.
 */
function agentRun(model: Model, toolSteps: number, store?: Store, telemetry?: () => RunTelemetry): Run {
  const tools = new ConstantToolExecutor();
  return async (stamps) => {
    // A session per run, with its id made as `deckhand run` makes it: the recorder stores each run's transcript
    // under its session.
    const sessionId = store ? newRecordId() : 'bench-session';
    // Calls that change nothing need no commit before they run, as a durable run decides it: a read-only tool of a
    // trusted server (the built-in crm here).
    const recorder = store
      ? new RunRecorder(store, { sessionId, preamble: 1, storedMessages: 0, settings: { model: 'scripted', yes: false }, changesNothing: readOnlyTool })
      : undefined;
    const observer = telemetry?.();
    const run = runAgent({
      model,
      tools,
      messages: initialMessages(),
      task: TASK,
      sessionId,
      maxSteps: toolSteps + 1,
      ...(recorder ? { checkpoint: (checkpoint) => recorder.checkpoint(checkpoint) } : {}),
      price: PRICE,
    });
    let end: RunEvent | undefined;
    // As a durable run does: each event comes once it is stored (persist, then emit), committed in groups.
    for await (const event of recorder ? recorder.persisted(run) : run) {
      if (stamps && event.type === 'step-start') stamps[event.step - 1] = performance.now();
      observer?.observe(event);
      if (event.type === 'run-end') end = event;
    }
    if (stamps) stamps[toolSteps + 1] = performance.now();
    // A model whose script drifted out of step with the runs would end them early and leave stale stamps.
    if (end?.type !== 'run-end' || end.outcome !== 'finished' || end.totals.steps !== toolSteps + 1) {
      throw new Error(`bench run ended ${JSON.stringify(end)}, expected 'finished' after ${toolSteps + 1} steps`);
    }
  };
}

/** The baseline: the least a loop can do with the same model and tools (no events, no totals, no checks). */
function minimalLoopRun(toolSteps: number): Run {
  const model = scriptedModel(toolSteps);
  const tools = new ConstantToolExecutor();
  return async (stamps) => {
    const messages = initialMessages();
    for (let step = 1; ; step++) {
      if (stamps) stamps[step - 1] = performance.now();
      let text = '';
      const toolCalls: ToolCall[] = [];
      for await (const part of model.stream({ messages, tools: tools.specs() })) {
        if (part.type === 'text-delta') text += part.text;
        else if (part.type === 'tool-call') toolCalls.push(part.call);
      }
      messages.push({ role: 'assistant', text, toolCalls });
      if (toolCalls.length === 0) {
        if (step !== toolSteps + 1) throw new Error(`minimal loop answered at step ${step}, expected ${toolSteps + 1}`);
        break;
      }
      const results: ToolResultPart[] = [];
      for (const call of toolCalls) {
        const outcome = await tools.call(call.name, call.input, { toolCallId: call.id });
        results.push({ toolCallId: call.id, toolName: call.name, output: outcome.text, isError: outcome.isError });
      }
      messages.push({ role: 'tool', results });
    }
    if (stamps) stamps[toolSteps + 1] = performance.now();
  };
}

/** Figures for one variant. Times in microseconds, allocation in bytes. */
export interface StepVariantResult {
  readonly key: string;
  readonly label: string;
  /** Per tool step, from the `step-start` gaps. */
  readonly stepUs: Summary;
  /** Run wall time / model calls (201), including run start and end and the answer step. */
  readonly wallMeanPerStepUs: number;
  readonly earlyStepsUs: Summary;
  readonly lateStepsUs: Summary;
  /** Median of steps 191–200 over median of steps 1–10. */
  readonly growth: number;
  /** Bytes allocated per model call over whole 200-step runs. */
  readonly allocatedPerStepBytes: number;
  /** Marginal bytes per step of steps 11–50 and 161–200 (differences of run lengths). */
  readonly allocatedEarlyStepBytes: number;
  readonly allocatedLateStepBytes: number;
  readonly collectionsPer1000Steps: number;
  /** p50 over the baseline's p50. */
  readonly ratioToBaseline: number;
}

export interface AgentStepResult {
  readonly toolStepsPerRun: number;
  readonly timedStepsPerVariant: number;
  readonly variants: readonly StepVariantResult[];
  /** Median step time with telemetry minus without (runAgent, ScriptedModel), in µs: tracing off, and on. */
  readonly telemetryOverheadUs?: { readonly tracingOff: number; readonly tracingOn: number };
  /** Issue 14's recorder targets, per store; PostgreSQL is absent (with why) when it does not answer. */
  readonly recorderTargets?: { readonly sqlite: RecorderTargets; readonly postgres?: RecorderTargets; readonly postgresSkipped?: string };
}

/** Issue 14: what persisting a step may cost, against figures of the same run. */
export const RECORDER_TARGET = { ratioToBaseline: 40, p99OverP50: 5, allocatedPerStepBytes: 32 * 1_024, growth: 1.2, roundTripsPerStep: 1.05 } as const;

/** One recorder variant against {@link RECORDER_TARGET}. */
export interface RecorderTargets {
  readonly key: string;
  readonly ratioToBaseline: number;
  readonly p99OverP50: number;
  readonly allocatedPerStepBytes: number;
  /** Steps 191–200 over steps 1–10: time (p50), and allocation (marginal bytes of steps 161–200 over 11–50). */
  readonly growth: number;
  readonly allocationGrowth: number;
  /** Statements sent to PostgreSQL per model call (each one round trip); PostgreSQL only. */
  readonly roundTripsPerStep?: number;
  readonly met: {
    readonly ratio: boolean;
    readonly p99: boolean;
    readonly allocation: boolean;
    readonly flat: boolean;
    /**
     * PostgreSQL only: one round trip per step. A run's start and end add a few statements of their own (the
     * session, the run row, its claim, the end) over 201 model calls, hence ≤ 1.05 rather than exactly 1.
     */
    readonly roundTrips?: boolean;
  };
}

function recorderTargets(variant: StepVariantResult, roundTripsPerStep?: number): RecorderTargets {
  const p99OverP50 = round(variant.stepUs.p99 / variant.stepUs.p50, 2);
  const allocationGrowth = round(variant.allocatedLateStepBytes / variant.allocatedEarlyStepBytes, 2);
  const growth = round(variant.growth, 2);
  return {
    key: variant.key,
    ratioToBaseline: variant.ratioToBaseline,
    p99OverP50,
    allocatedPerStepBytes: variant.allocatedPerStepBytes,
    growth,
    allocationGrowth,
    ...(roundTripsPerStep !== undefined ? { roundTripsPerStep: round(roundTripsPerStep, 2) } : {}),
    met: {
      ratio: variant.ratioToBaseline <= RECORDER_TARGET.ratioToBaseline,
      p99: p99OverP50 <= RECORDER_TARGET.p99OverP50,
      allocation: variant.allocatedPerStepBytes <= RECORDER_TARGET.allocatedPerStepBytes,
      flat: growth <= RECORDER_TARGET.growth && allocationGrowth <= RECORDER_TARGET.growth,
      ...(roundTripsPerStep !== undefined ? { roundTrips: roundTripsPerStep <= RECORDER_TARGET.roundTripsPerStep } : {}),
    },
  };
}

/** The recorder targets as printed lines: each with met / not met. */
export function recorderTargetLines(result: AgentStepResult): string[] {
  const targets = result.recorderTargets;
  if (!targets) return [];
  const verdict = (met: boolean) => (met ? 'met' : 'not met');
  const line = (store: string, t: RecorderTargets) =>
    `recorder (${store}): p50 ${num(t.ratioToBaseline)}× baseline (target ≤ ${RECORDER_TARGET.ratioToBaseline}×: ${verdict(t.met.ratio)}), ` +
    `p99 ${num(t.p99OverP50, 2)}× its p50 (≤ ${RECORDER_TARGET.p99OverP50}×: ${verdict(t.met.p99)}), ` +
    `${bytes(t.allocatedPerStepBytes)} per step (≤ ${bytes(RECORDER_TARGET.allocatedPerStepBytes)}: ${verdict(t.met.allocation)}), ` +
    `growth ${num(t.growth, 2)}× time / ${num(t.allocationGrowth, 2)}× bytes (≤ ${RECORDER_TARGET.growth}×: ${verdict(t.met.flat)})` +
    (t.roundTripsPerStep !== undefined
      ? `, ${num(t.roundTripsPerStep, 2)} round trips per step (one per step, ≤ ${RECORDER_TARGET.roundTripsPerStep} with the run's start and end: ${verdict(t.met.roundTrips === true)})`
      : '') +
    '.';
  return [
    line('SQLite', targets.sqlite),
    targets.postgres ? line('PostgreSQL', targets.postgres) : `recorder (PostgreSQL): skipped — ${targets.postgresSkipped ?? 'no PostgreSQL'}.`,
  ];
}

async function recorderStore(resources: BenchResources): Promise<Store> {
  const dir = resources.tempDir('recorder');
  return openStore({ file: `${dir}/deckhand.db`, seed: false });
}

/** The test PostgreSQL the recorder's PostgreSQL row runs on (a scratch database, dropped after). */
const POSTGRES_ADMIN_URL = process.env.DECKHAND_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A store on a scratch PostgreSQL database, or why there is none. */
async function postgresRecorderStore(resources: BenchResources): Promise<{ store: Store } | { skipped: string }> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 1_000 });
  try {
    await admin.connect();
  } catch {
    return { skipped: `no PostgreSQL at ${new URL(POSTGRES_ADMIN_URL).host} (DECKHAND_BENCH_POSTGRES_URL)` };
  }
  const name = `deckhand_bench_recorder_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  await admin.query(`create database ${name}`);
  resources.adopt(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { store: await openStore({ file: 'unused', databaseUrl: url.toString(), seed: false }) };
}

/**
 * Counts the statements the process sends to PostgreSQL (node-postgres sends one at a time: each is a round
 * trip) while `count` is on; the bench's only PostgreSQL client then is the recorder's store.
 */
function countPostgresQueries(): { readonly count: () => number; readonly restore: () => void } {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let queries = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    queries += 1;
    return original.apply(this, args);
  };
  return { count: () => queries, restore: () => (prototype.query = original) };
}

/** Runs the per-step benchmark. Takes about 10 s on two shared cores. */
export async function benchAgentStep(resources: BenchResources): Promise<AgentStepResult> {
  const store = await recorderStore(resources);
  const postgres = await postgresRecorderStore(resources);
  const queries = countPostgresQueries();
  // Statements and model calls of the PostgreSQL row's timed runs (those given stamps).
  const postgresRuns = { queries: 0, modelCalls: 0 };
  const variants: Variant[] = [
    { key: 'baseline', label: 'minimal hand-written loop (baseline)', create: minimalLoopRun },
    { key: 'runAgent', label: 'runAgent, ScriptedModel', create: (steps) => agentRun(scriptedModel(steps), steps) },
    {
      key: 'runAgentRecorder',
      label: 'runAgent + RunRecorder (SQLite file)',
      create: (steps) => agentRun(scriptedModel(steps), steps, store),
    },
    ...('store' in postgres
      ? [
          {
            key: 'runAgentRecorderPostgres',
            label: 'runAgent + RunRecorder (PostgreSQL)',
            create: (steps: number): Run => {
              const run = agentRun(scriptedModel(steps), steps, postgres.store);
              return async (stamps) => {
                const before = queries.count();
                await run(stamps);
                if (!stamps) return;
                postgresRuns.queries += queries.count() - before;
                postgresRuns.modelCalls += steps + 1;
              };
            },
          },
        ]
      : []),
    {
      key: 'runAgentTracingOff',
      label: 'runAgent + telemetry, tracing off (metrics only)',
      create: (steps) => agentRun(scriptedModel(steps), steps, undefined, telemetryFactory(false)),
    },
    {
      key: 'runAgentTracingOn',
      label: 'runAgent + telemetry, tracing on (spans + metrics)',
      create: (steps) => agentRun(scriptedModel(steps), steps, undefined, telemetryFactory(true)),
    },
    {
      key: 'aiSdkAdapter',
      label: 'runAgent + AiSdkModel (zero-latency V4 model)',
      create: (steps) =>
        agentRun(
          new AiSdkModel({ languageModel: zeroLatencyV4Model(steps), endpoint: endpoint('bench', 'zero') }),
          steps,
        ),
    },
    {
      key: 'openaiInMemory',
      label: 'runAgent + @ai-sdk/openai (in-memory fetch)',
      create: (steps) => agentRun(inMemoryOpenAIModel(steps), steps),
    },
  ];
  try {
    const result = await measureVariants(variants);
    const variant = (key: string) => result.variants.find((entry) => entry.key === key);
    const p50 = (key: string) => variant(key)!.stepUs.p50;
    const onPostgres = variant('runAgentRecorderPostgres');
    return {
      ...result,
      telemetryOverheadUs: {
        tracingOff: round(p50('runAgentTracingOff') - p50('runAgent'), 2),
        tracingOn: round(p50('runAgentTracingOn') - p50('runAgent'), 2),
      },
      recorderTargets: {
        sqlite: recorderTargets(variant('runAgentRecorder')!),
        ...(onPostgres ? { postgres: recorderTargets(onPostgres, postgresRuns.queries / postgresRuns.modelCalls) } : {}),
        ...('skipped' in postgres ? { postgresSkipped: postgres.skipped } : {}),
      },
    };
  } finally {
    queries.restore();
    await store.close();
    if ('store' in postgres) await postgres.store.close();
  }
}

async function measureVariants(variants: readonly Variant[]): Promise<AgentStepResult> {
  const runs = new Map(variants.map((variant) => [variant.key, variant.create(TOOL_STEPS_PER_RUN)]));
  for (const variant of variants) {
    const run = runs.get(variant.key)!;
    for (let index = 0; index < WARMUP_RUNS; index++) await run();
  }

  const timed = new Map(
    variants.map((variant) => [
      variant.key,
      { steps: [] as number[], early: [] as number[], late: [] as number[], wall: [] as number[] },
    ]),
  );
  const stamps = new Float64Array(TOOL_STEPS_PER_RUN + 2);
  // Rounds interleave the variants so that a burst of noise on the shared cores lands on all of them alike.
  for (let round = 0; round < TIMED_ROUNDS; round++) {
    for (const variant of variants) {
      const run = runs.get(variant.key)!;
      const samples = timed.get(variant.key)!;
      for (let index = 0; index < RUNS_PER_ROUND; index++) {
        await run(stamps);
        for (let step = 1; step <= TOOL_STEPS_PER_RUN; step++) {
          const micros = (stamps[step]! - stamps[step - 1]!) * 1_000;
          samples.steps.push(micros);
          if (step >= EARLY_STEPS[0] && step <= EARLY_STEPS[1]) samples.early.push(micros);
          if (step >= LATE_STEPS[0] && step <= LATE_STEPS[1]) samples.late.push(micros);
        }
        samples.wall.push(((stamps[TOOL_STEPS_PER_RUN + 1]! - stamps[0]!) * 1_000) / (TOOL_STEPS_PER_RUN + 1));
      }
    }
  }

  const results: StepVariantResult[] = [];
  for (const variant of variants) {
    const samples = timed.get(variant.key)!;
    const allocation = await allocationFor(variant);
    const stepUs = summarize(samples.steps);
    const earlyStepsUs = summarize(samples.early);
    const lateStepsUs = summarize(samples.late);
    results.push({
      key: variant.key,
      label: variant.label,
      stepUs,
      wallMeanPerStepUs: summarize(samples.wall).mean,
      earlyStepsUs,
      lateStepsUs,
      growth: lateStepsUs.p50 / earlyStepsUs.p50,
      ...allocation,
      ratioToBaseline: 0,
    });
  }
  const baseline = results[0]!.stepUs.p50;
  return {
    toolStepsPerRun: TOOL_STEPS_PER_RUN,
    timedStepsPerVariant: TIMED_ROUNDS * RUNS_PER_ROUND * TOOL_STEPS_PER_RUN,
    variants: results.map((result) => ({ ...result, ratioToBaseline: round(result.stepUs.p50 / baseline, 1) })),
  };
}

/** Bytes per run for each length in ALLOCATION_LENGTHS; per-step figures from whole runs and from differences. */
async function allocationFor(
  variant: Variant,
): Promise<
  Pick<
    StepVariantResult,
    'allocatedPerStepBytes' | 'allocatedEarlyStepBytes' | 'allocatedLateStepBytes' | 'collectionsPer1000Steps'
  >
> {
  const perRun = new Map<number, number>();
  let wholeRuns: AllocationSample | undefined;
  for (const length of ALLOCATION_LENGTHS) {
    const run = variant.create(length);
    await run(); // first call of a new closure: let it compile before measuring
    const sample = await measureAllocation(async () => {
      for (let index = 0; index < ALLOCATION_RUNS; index++) await run();
    });
    perRun.set(length, sample.bytes / ALLOCATION_RUNS);
    if (length === TOOL_STEPS_PER_RUN) wholeRuns = sample;
  }
  const bytes = (length: (typeof ALLOCATION_LENGTHS)[number]) => perRun.get(length)!;
  const modelCalls = ALLOCATION_RUNS * (TOOL_STEPS_PER_RUN + 1);
  return {
    allocatedPerStepBytes: Math.round(wholeRuns!.bytes / modelCalls),
    allocatedEarlyStepBytes: Math.round((bytes(50) - bytes(10)) / 40),
    allocatedLateStepBytes: Math.round((bytes(200) - bytes(160)) / 40),
    collectionsPer1000Steps: round((wholeRuns!.collections / modelCalls) * 1_000, 1),
  };
}
