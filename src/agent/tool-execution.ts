import type { ToolCall, ToolResultPart } from '../models/types.js';
import { errorMessage } from '../shared/errors.js';
import type { RunEvent, ToolAddress, ToolExecutor, ToolOutcome } from '../contracts/index.js';
import { summarizeOutput } from './summarize.js';
import type { GateResult } from './tool-gate.js';

/** One call of a step with what the gate said about it. */
export interface GatedCall {
  readonly call: ToolCall;
  readonly address: ToolAddress;
  readonly gate: Exclude<GateResult, { type: 'ask' }>;
}

/**
 * Runs the allowed calls of one step in parallel (denied ones and answered questions need no execution), then
 * emits each result in call order and fills `results` for the next model turn.
 */
export async function* executeToolCalls(options: {
  runId: string;
  step: number;
  calls: readonly GatedCall[];
  tools: ToolExecutor;
  now: () => number;
  results: ToolResultPart[];
  signal?: AbortSignal;
}): AsyncGenerator<RunEvent> {
  const { runId, step, calls, tools, now, results, signal } = options;
  // Each call's start is an event the durable run stores before the generator goes on: if the process dies
  // mid-call, the store knows which calls may have run.
  for (const { call, address, gate } of calls) {
    if (gate.type !== 'allow') continue;
    yield { type: 'tool-start', runId, at: now(), step, toolCallId: call.id, ...address, args: gate.args ?? call.input, ...(gate.args ? { edited: true } : {}) };
  }
  const settled = await Promise.all(
    calls.map(async ({ call, gate }): Promise<{ outcome: ToolOutcome; durationMs: number }> => {
      if (gate.type === 'deny') return { outcome: { isError: true, text: gate.message }, durationMs: 0 };
      if (gate.type === 'result') return { outcome: { isError: gate.isError === true, text: gate.text }, durationMs: 0 };
      const started = performance.now();
      try {
        const outcome = await tools.call(call.name, gate.args ?? call.input, {
          toolCallId: call.id,
          // Stable for this run and call: a resumed or retried call reuses it, so the side effect happens once.
          idempotencyKey: `${runId}:${call.id}`,
          ...(signal ? { signal } : {}),
        });
        return { outcome, durationMs: performance.now() - started };
      } catch (error) {
        const text = signal?.aborted ? 'The tool call was cancelled.' : `The tool call failed: ${errorMessage(error)}`;
        return { outcome: { isError: true, text }, durationMs: performance.now() - started };
      }
    }),
  );
  for (const [index, { call, address, gate }] of calls.entries()) {
    const { outcome, durationMs } = settled[index]!;
    const ranWith = gate.type === 'allow' ? gate.args : undefined;
    results.push({ toolCallId: call.id, toolName: call.name, output: outcome.text, isError: outcome.isError, ...(ranWith ? { ranWith } : {}) });
    if (outcome.isError) {
      yield { type: 'tool-error', runId, at: now(), step, toolCallId: call.id, ...address, error: outcome.text, durationMs };
    } else {
      yield {
        type: 'tool-result',
        runId,
        at: now(),
        step,
        toolCallId: call.id,
        ...address,
        summary: summarizeOutput(outcome.text),
        output: outcome.text,
        ...(outcome.structured !== undefined ? { structured: outcome.structured } : {}),
        ...(outcome.cache ? { cache: outcome.cache } : {}),
        durationMs,
      };
    }
  }
}
