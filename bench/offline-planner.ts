/**
 * @module The offline planner's time per step on a 30-tool catalog: the built-in servers' tools plus the helpdesk
 * fixture's, connected in-process. Each task is first run once through the real agent loop, recording the request
 * of every step; then `OfflineModel.stream` is timed on those requests (the decision for one step, start to
 * finish parts), after a warm-up. The in-run baseline is `JSON.stringify` of the same request: the least a
 * provider model must do with it before anything is sent.
 */
import { runAgent } from '../src/agent/run-agent.js';
import { SYSTEM_PROMPT } from '../src/agent/system-prompt.js';
import { OfflineModel } from '../src/models/offline/index.js';
import type { Model, ModelMessage, ModelPart, ModelRequest } from '../src/models/types.js';
import { BUILTIN_SERVERS } from '../src/servers/registry.js';
import { openStore } from '../src/store/database.js';
import { createHelpdeskServer, helpdeskState } from '../test/fixtures/helpdesk-server.js';
import { InProcessTools } from '../test/helpers/offline-harness.js';
import { type Summary, summarize } from './stats.js';

/** Tools offered to the planner in the timed steps. */
export const PLANNER_CATALOG_SIZE = 30;
const WARMUP_ROUNDS = 100;
const TIMED_ROUNDS = 500;

/** Tasks of every kind the suite covers: one action, a chain of lookups, two actions, a question, a refusal. */
const TASKS = [
  'Order XYZ-789 has shipped. Email the customer a shipping confirmation.',
  "Add a note to Lisa Park's ring order: wants it resized",
  'refund $30 on XYZ-789 and email her that it is done',
  'Which orders has Lisa Park placed?',
  'Which orders has Lisa placed?',
  'delete every customer',
];

export interface OfflinePlannerResult {
  readonly catalogTools: number;
  /** Recorded steps, over all tasks, each timed `TIMED_ROUNDS` times. */
  readonly steps: number;
  readonly stepUs: Summary;
  readonly baselineStringifyUs: Summary;
  readonly ratioToBaseline: number;
}

/** A model that records every request it is sent, then decides as the planner does. */
class RecordingModel implements Model {
  readonly id = 'offline';
  readonly provider = 'offline';
  readonly modelName = 'offline';
  readonly requests: ModelRequest[] = [];
  private readonly planner = new OfflineModel();

  stream(request: ModelRequest): AsyncIterable<ModelPart> {
    this.requests.push({ messages: structuredClone(request.messages) as ModelMessage[], tools: request.tools });
    return this.planner.stream(request);
  }
}

async function drain(parts: AsyncIterable<ModelPart>): Promise<number> {
  let count = 0;
  for await (const _part of parts) count++;
  return count;
}

/** Records the planner's requests for each task, then times one step on each. */
export async function benchOfflinePlanner(): Promise<OfflinePlannerResult> {
  const store = await openStore({ file: ':memory:' });
  const builtin = Object.fromEntries(Object.entries(BUILTIN_SERVERS).map(([name, factory]) => [name, factory(store.db, 'bench')]));
  const tools = await InProcessTools.connect({ ...builtin, helpdesk: createHelpdeskServer(helpdeskState()) });
  try {
    const catalog = tools.specs().slice(0, PLANNER_CATALOG_SIZE);
    const limited = Object.assign(Object.create(tools) as InProcessTools, { specs: () => catalog });
    const model = new RecordingModel();
    for (const [index, task] of TASKS.entries()) {
      const messages: ModelMessage[] = [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: task }];
      for await (const _event of runAgent({ model, tools: limited, messages, task, sessionId: 'bench', runId: `bench-${index}` })) {
        // Only the recorded requests matter here.
      }
    }
    const planner = new OfflineModel();
    const requests = model.requests;
    for (let round = 0; round < WARMUP_ROUNDS; round++) for (const request of requests) await drain(planner.stream(request));
    const stepUs = new Float64Array(requests.length * TIMED_ROUNDS);
    const baselineUs = new Float64Array(requests.length * TIMED_ROUNDS);
    let sample = 0;
    let sink = 0;
    for (let round = 0; round < TIMED_ROUNDS; round++) {
      for (const request of requests) {
        const start = performance.now();
        sink += await drain(planner.stream(request));
        const middle = performance.now();
        sink += JSON.stringify(request).length;
        const end = performance.now();
        stepUs[sample] = (middle - start) * 1_000;
        baselineUs[sample] = (end - middle) * 1_000;
        sample++;
      }
    }
    if (sink === 0) throw new Error('the planner produced nothing');
    const step = summarize(stepUs);
    const baseline = summarize(baselineUs);
    return {
      catalogTools: catalog.length,
      steps: requests.length,
      stepUs: step,
      baselineStringifyUs: baseline,
      ratioToBaseline: step.p50 / baseline.p50,
    };
  } finally {
    await tools.close();
    await store.close();
  }
}
