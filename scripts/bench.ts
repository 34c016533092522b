/**
 * `npm run bench`: builds, then measures on this machine (1) the host overhead per agent step, (2) the MCP
 * tool-call round trip over stdio to our own server, and (3) the cold start of `deckhand run` to its first
 * model request, (4) the operations servers with 100k orders in the store, (5) `/ws/chat` fan-out with N
 * concurrent streaming sessions and memory per idle session, and (6) the offline planner's time per step on a
 * 30-tool catalog, each against a baseline measured
 * in the same process. Prints tables, then one JSON line
 * with every figure. Method and recorded figures: docs/benchmarks.md. Needs `node --expose-gc`.
 */
import { benchChatSessions, type ChatSessionsResult } from '../bench/chat-sessions.js';
import { type AgentStepResult, benchAgentStep, recorderTargetLines, TOOL_STEPS_PER_RUN } from '../bench/agent-step.js';
import { benchColdStart, type ColdStartResult } from '../bench/cold-start.js';
import { machineInfo } from '../bench/machine.js';
import { benchOpsServers, type OpsServersResult } from '../bench/ops-servers.js';
import { benchMcpRoundTrip, type McpRoundTripResult } from '../bench/mcp-round-trip.js';
import { benchOfflinePlanner, type OfflinePlannerResult } from '../bench/offline-planner.js';
import { bytes, num, table } from '../bench/report.js';
import { BenchResources } from '../bench/resources.js';
import { roundSummary, type Summary } from '../bench/stats.js';
import { benchQueue, type QueueResult } from '../bench/queue.js';
import { VERSION } from '../src/shared/package-info.js';

const TARGET_STEP_US = 200;
const DESIGN_STEP_US = 50;
const DESIGN_STEP_BYTES = 64 * 1_024;
const TARGET_COLD_START_MS = 1_500;

function printAgentStep(result: AgentStepResult): void {
  console.log(
    `\n1. Host overhead per agent step — zero-latency model, in-process tool; runs of ${TOOL_STEPS_PER_RUN} tool steps + ` +
      `an answer; ${num(result.timedStepsPerVariant, 0)} timed steps per variant after warm-up (µs per step)`,
  );
  console.log(
    table(
      [
        'variant',
        'p50',
        'p99',
        'wall mean',
        '× baseline',
        'steps 1–10',
        '191–200',
        'growth',
        'alloc/step',
        'steps 11–50',
        '161–200',
        'GCs/1k steps',
      ],
      result.variants.map((variant) => [
        variant.label,
        variant.stepUs.p50,
        variant.stepUs.p99,
        variant.wallMeanPerStepUs,
        `${num(variant.ratioToBaseline)}×`,
        variant.earlyStepsUs.p50,
        variant.lateStepsUs.p50,
        `${num(variant.growth, 2)}×`,
        bytes(variant.allocatedPerStepBytes),
        bytes(variant.allocatedEarlyStepBytes),
        bytes(variant.allocatedLateStepBytes),
        variant.collectionsPer1000Steps,
      ]),
    ),
  );
  const loop = result.variants.find((variant) => variant.key === 'runAgent')!;
  console.log(
    `runAgent: ${num(loop.stepUs.p50)} µs p50 / ${num(loop.stepUs.p99)} µs p99 per step, ${bytes(loop.allocatedPerStepBytes)} per step — ` +
      `target < ${TARGET_STEP_US} µs: ${loop.stepUs.p50 < TARGET_STEP_US ? 'met' : 'MISSED'}; ` +
      `DESIGN.md ≤ ${DESIGN_STEP_US} µs: ${loop.stepUs.p50 <= DESIGN_STEP_US ? 'met' : 'missed'}, ` +
      `≤ ${bytes(DESIGN_STEP_BYTES)}: ${loop.allocatedPerStepBytes <= DESIGN_STEP_BYTES ? 'met' : 'missed'}.`,
  );
  for (const line of recorderTargetLines(result)) console.log(line);
  if (result.telemetryOverheadUs) {
    const { tracingOff, tracingOn } = result.telemetryOverheadUs;
    console.log(
      `telemetry per step (p50 over runAgent): tracing off ${num(tracingOff, 2)} µs, tracing on ${num(tracingOn, 2)} µs — ` +
        `target ≤ ${TRACING_STEP_US} µs on: ${tracingOn <= TRACING_STEP_US ? 'met' : 'missed'}.`,
    );
  }
  const adapter = result.variants.find((variant) => variant.key === 'aiSdkAdapter');
  const openai = result.variants.find((variant) => variant.key === 'openaiInMemory');
  if (adapter) {
    console.log(
      `AiSdkModel growth over ${TOOL_STEPS_PER_RUN} steps: ${num(adapter.growth, 2)}× — target ≤ ${ADAPTER_GROWTH}×: ` +
        `${adapter.growth <= ADAPTER_GROWTH ? 'met' : 'missed'}` +
        (openai
          ? `; @ai-sdk/openai ${num(openai.growth, 2)}× (not a target: Chat Completions sends the whole transcript as JSON every step).`
          : '.'),
    );
  }
}

/** The provider adapter's step time may grow at most this much from steps 1–10 to 191–200 (issue 14). */
const ADAPTER_GROWTH = 1.2;

/** Tracing on may add at most this much per step (issue 10). */
const TRACING_STEP_US = 10;

function printRoundTrip(result: McpRoundTripResult): void {
  console.log(
    `\n2. MCP tools/call round trip over stdio — sequential calls, ${num(result.callsPerVariant, 0)} per variant after warm-up (µs per call)`,
  );
  console.log(
    table(
      ['variant', 'p50', 'p99', 'mean', 'max', 'alloc/call (host)'],
      result.variants.map((variant) => [
        variant.label,
        variant.us.p50,
        variant.us.p99,
        variant.us.mean,
        variant.us.max,
        bytes(variant.allocatedPerCallBytes),
      ]),
    ),
  );
  console.log(
    `ours (McpHost → crm) p50 − bare SDK echo p50 = ${num(result.oursMinusEchoP50Us)} µs ` +
      `(host layer ${num(result.hostLayerP50Us)} µs + crm server ${num(result.crmServerP50Us)} µs, roughly); ` +
      `the SDK adds ${num(result.sdkOverRawP50Us)} µs over raw JSON-RPC.`,
  );
  console.log(
    `ours ${num(result.oursOverHostEchoP50, 2)}× McpHost → SDK echo at p50 — target ≤ ${num(result.targetOursOverHostEcho, 1)}×: ` +
      `${result.oursOverHostEchoP50 <= result.targetOursOverHostEcho ? 'met' : 'not met'}.`,
  );
}

function printColdStart(result: ColdStartResult): void {
  console.log(`\n3. Cold start — ${result.runs} runs each (ms)`);
  const row = (label: string, summary: Summary) => [label, summary.p50, summary.max, summary.min];
  console.log(
    table(
      ['measure', 'median', 'max', 'min'],
      [
        row(
          'deckhand run → first model request, fresh DECKHAND_HOME (creates + seeds DB)',
          result.firstRequestFreshHomeMs,
        ),
        row('deckhand run → first model request, existing DB', result.firstRequestExistingDbMs),
        row('deckhand run → exit after a one-step run, existing DB', result.exitExistingDbMs),
        row(
          'deckhand run → first model request, existing DB, NODE_COMPILE_CACHE set (CLI process only)',
          result.firstRequestCompileCacheMs,
        ),
        row(
          `McpHost.start of the built-in servers (${result.builtinServers.join(', ')}), one shared process, spawn → tools listed`,
          result.hostStartBuiltinsMs,
        ),
        row('McpHost.start of the built-in servers, each in a process of its own', result.hostStartBuiltinsSeparateMs),
        row(
          'McpHost.start of the built-in servers, NODE_COMPILE_CACHE set for them',
          result.hostStartBuiltinsCompileCacheMs,
        ),
        row('McpHost.start of crm alone', result.hostStartCrmMs),
        row('baseline: McpHost.start of the bare SDK echo server (unbundled)', result.hostStartEchoMs),
        row('openStore on an existing DB, in process (host + server migration and seed checks)', result.openStoreExistingMs),
        row('baseline: node -e "" (spawn → exit)', result.nodeBareMs),
        row('baseline: deckhand --version (node + load CLI bundle)', result.cliVersionMs),
      ],
    ),
  );
  const worst = Math.max(result.firstRequestFreshHomeMs.p50, result.firstRequestExistingDbMs.p50);
  console.log(
    `target < ${num(TARGET_COLD_START_MS, 0)} ms to the first model request: ${worst < TARGET_COLD_START_MS ? 'met' : 'MISSED'}.`,
  );
  console.log(
    `first model request ${num(result.firstRequestOverNodeBare)}× node -e "" (fresh home ${num(result.firstRequestFreshOverNodeBare)}×) — ` +
      `target ≤ ${num(result.targetFirstRequestOverNodeBare, 0)}×: ${result.firstRequestOverNodeBare <= result.targetFirstRequestOverNodeBare ? 'met' : 'not met'}.`,
  );
}

const TARGET_READ_OVER_ECHO_US = 1_000;

function printOpsServers(result: OpsServersResult): void {
  console.log(
    `\n4. Operations servers over stdio with ${num(result.orders, 0)} orders in the store (inserted in ${num(result.seedSeconds)} s) — µs per call`,
  );
  const row = (label: string, summary: Summary) => [label, summary.p50, summary.p99, summary.mean];
  console.log(
    table(
      ['call (through McpHost)', 'p50', 'p99', 'mean'],
      [
        row('echo on the bare SDK echo server (baseline)', result.echoUs),
        row('orders.get_order (random of 100k)', result.getOrderUs),
        row('orders.list_orders by customer, 20 per page', result.listOrdersByCustomerUs),
        row('crm.search_customers, partial name', result.searchCustomersUs),
        row('notes.add_note, sequential (write + idempotency key)', result.addNoteUs),
      ],
    ),
  );
  console.log(
    `get_order p50 − echo p50 = ${num(result.getOrderOverEchoP50Us)} µs, list_orders ${num(result.listOrdersOverEchoP50Us)} µs — ` +
      `target < ${num(TARGET_READ_OVER_ECHO_US, 0)} µs: ${Math.max(result.getOrderOverEchoP50Us, result.listOrdersOverEchoP50Us) < TARGET_READ_OVER_ECHO_US ? 'met' : 'MISSED'}. ` +
      `add_note: ${num(result.addNoteSequentialPerSecond, 0)} notes/s sequential, ${num(result.addNoteConcurrentPerSecond, 0)} notes/s with 8 in flight.`,
  );
}

function printChatSessions(result: ChatSessionsResult): void {
  console.log(
    `\n5. /ws/chat fan-out — N concurrent sessions on 127.0.0.1, each one message answered in ${result.wordsPerAnswer} streamed deltas by a scripted model (ms from the loop to the client)`,
  );
  console.log(
    table(
      ['sessions', 'deltas', 'p50', 'p99', 'max', 'wall s', `p99 < ${result.targetP99Ms} ms`],
      result.levels.map((level) => [String(level.sessions), String(level.deltas), level.fanoutMs.p50, level.fanoutMs.p99, level.fanoutMs.max, level.wallSeconds, level.withinTarget ? 'yes' : 'no']),
    ),
  );
  console.log(
    `Most concurrent streaming sessions with fan-out p99 under ${result.targetP99Ms} ms: ${result.maxSessionsUnderTarget}` +
      `${result.levels.every((level) => level.withinTarget) ? ' (the largest level tried)' : ''}. ` +
      `Server heap per idle subscribed session: ${bytes(result.heapPerIdleSessionBytes)} (${result.idleSessions} sockets); ` +
      `per active run, caught halfway through its answer with its chat socket: ${bytes(result.heapPerActiveRunBytes)} (${result.activeRuns} runs at once).`,
  );
}

const TARGET_PLANNER_STEP_US = 1_000;

function printOfflinePlanner(result: OfflinePlannerResult): void {
  console.log(
    `\n6. Offline planner — one step's decision on a ${result.catalogTools}-tool catalog, ${result.steps} recorded steps of ` +
      'six tasks (one action, a lookup chain, two actions, questions, a refusal), each timed 500 times after 100 warm-up rounds (µs per step)',
  );
  const row = (label: string, summary: Summary) => [label, summary.p50, summary.p99, summary.mean, summary.max];
  console.log(
    table(
      ['measure', 'p50', 'p99', 'mean', 'max'],
      [row('OfflineModel.stream, all parts', result.stepUs), row('baseline: JSON.stringify of the same request', result.baselineStringifyUs)],
    ),
  );
  console.log(
    `planner: ${num(result.stepUs.p50)} µs p50 / ${num(result.stepUs.p99)} µs p99 per step (${num(result.ratioToBaseline)}× stringifying the request) — ` +
      `target < ${num(TARGET_PLANNER_STEP_US, 0)} µs: ${result.stepUs.p99 < TARGET_PLANNER_STEP_US ? 'met' : 'MISSED'}.`,
  );
}

/** Rounds every number in a result tree for the JSON line. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Math.round(value * 100) / 100;
  if (Array.isArray(value)) return value.map(rounded);
  if (value && typeof value === 'object') {
    if ('p50' in value && 'count' in value) return roundSummary(value as Summary);
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, rounded(entry)]));
  }
  return value;
}

function printQueue(result: QueueResult | undefined): void {
  if (!result) {
    console.log('\n7. Queue — skipped: no PostgreSQL at DECKHAND_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)');
    return;
  }
  console.log(
    `\n7. Queue on PostgreSQL — ${result.runsPerLevel} runs enqueued at once over \`deckhand worker\` processes (one run at a time each), zero-latency model (a local Chat Completions fake); event latency from the executing worker process to a WebSocket on a serve process`,
  );
  console.log(table(['worker processes', 'runs/s'], Object.entries(result.runsPerSecond).map(([workers, rate]) => [workers, num(rate)])));
  console.log(`event latency (stored text-delta on the worker → WebSocket on the serve process): ${num(result.eventLatencyMs.p50)} ms p50 / ${num(result.eventLatencyMs.p99)} ms p99 (${result.eventLatencyMs.count} events).`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineInfo();
  console.log(
    `Deckhand ${VERSION} benchmarks — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}, load ${machine.loadAverage}`,
  );

  const resources = new BenchResources();
  const stop = (signal: NodeJS.Signals) => {
    void resources.dispose().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // `npm run bench -- chat ops` runs only the named sections (agent-step, mcp, cold-start, ops, chat, planner, queue); default all.
    const only = new Set(process.argv.slice(2));
    const wanted = (name: string) => only.size === 0 || only.has(name);
    const agentStep = wanted('agent-step') ? await benchAgentStep(resources) : undefined;
    if (agentStep) printAgentStep(agentStep);
    const mcpRoundTrip = wanted('mcp') ? await benchMcpRoundTrip(resources) : undefined;
    if (mcpRoundTrip) printRoundTrip(mcpRoundTrip);
    const coldStart = wanted('cold-start') ? await benchColdStart(resources) : undefined;
    if (coldStart) printColdStart(coldStart);
    const opsServers = wanted('ops') ? await benchOpsServers(resources) : undefined;
    if (opsServers) printOpsServers(opsServers);
    const chatSessions = wanted('chat') ? await benchChatSessions(resources) : undefined;
    if (chatSessions) printChatSessions(chatSessions);
    const offlinePlanner = wanted('planner') ? await benchOfflinePlanner() : undefined;
    if (offlinePlanner) printOfflinePlanner(offlinePlanner);
    const queue = wanted('queue') ? await benchQueue(resources) : undefined;
    if (wanted('queue')) printQueue(queue);
    const durationS = (performance.now() - started) / 1_000;
    console.log(`\nFinished in ${num(durationS)} s.`);
    console.log(
      JSON.stringify(
        rounded({ bench: 'deckhand', version: VERSION, machine, agentStep, mcpRoundTrip, coldStart, opsServers, chatSessions, offlinePlanner, queue, durationS }),
      ),
    );
  } finally {
    await resources.dispose();
  }
}

await main();
