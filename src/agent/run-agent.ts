import { randomUUID } from 'node:crypto';
import { costOf, type ModelPrice } from '../models/pricing.js';
import type { FinishReason, Model, ModelMessage, ToolCall, ToolResultPart, Usage } from '../models/types.js';
import { errorMessage } from '../shared/errors.js';
import type { RunEvent, RunOutcome, RunTotals } from './events.js';
import { isBudgetExhausted, isStepLimitReached } from './stop-conditions.js';
import { summarizeOutput } from './summarize.js';
import type { ToolExecutor } from './tool-executor.js';

export const DEFAULT_MAX_STEPS = 20;

export interface RunAgentOptions {
  readonly model: Model;
  readonly tools: ToolExecutor;
  /**
   * The conversation so far, ending with the user's new message. The loop appends the assistant and
   * tool messages of this run to this same array, so a chat keeps its context without rebuilding it.
   */
  readonly messages: ModelMessage[];
  readonly task: string;
  readonly sessionId: string;
  readonly runId?: string;
  /** Model calls allowed in this run. Default 20. */
  readonly maxSteps?: number;
  /** Stop before a model call once this much has been spent. Default: no limit. */
  readonly budgetUsd?: number | null;
  readonly price?: ModelPrice;
  readonly signal?: AbortSignal;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

interface StepOutput {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: FinishReason;
}

/**
 * Runs the agent loop: one model call per step, the step's tool calls in parallel, results fed back,
 * until the model answers without calling a tool, the step limit or budget is reached, or the signal aborts.
 * Yields the typed event stream; the last event is always `run-end`. Never throws for model, tool or
 * provider failures: they end the run with outcome `failed` and a readable `error`.
 */
export async function* runAgent(options: RunAgentOptions): AsyncGenerator<RunEvent, RunOutcome> {
  const { model, tools, messages, signal } = options;
  const runId = options.runId ?? randomUUID();
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const budgetUsd = options.budgetUsd ?? null;
  const now = options.now ?? Date.now;
  let totals: RunTotals = { steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

  const end = (outcome: RunOutcome, text: string, error?: string): RunEvent => ({
    type: 'run-end',
    runId,
    at: now(),
    outcome,
    text,
    ...(error !== undefined ? { error } : {}),
    totals,
  });

  yield {
    type: 'run-start',
    runId,
    at: now(),
    sessionId: options.sessionId,
    task: options.task,
    model: model.id,
    maxSteps,
    budgetUsd,
  };

  for (let step = 1; ; step++) {
    if (signal?.aborted) {
      yield end('cancelled', 'The run was cancelled.');
      return 'cancelled';
    }
    if (isStepLimitReached(step, maxSteps)) {
      const message = `Stopped after ${maxSteps} steps without a final answer (raise --max-steps to allow more).`;
      yield end('failed', message, message);
      return 'failed';
    }
    if (isBudgetExhausted(totals, budgetUsd)) {
      const message = `Budget of $${budgetUsd?.toFixed(4)} reached ($${totals.costUsd.toFixed(4)} spent).`;
      yield end('budget-exhausted', message);
      return 'budget-exhausted';
    }

    yield { type: 'step-start', runId, at: now(), step };
    const output: StepOutput = {
      text: '',
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: 'other',
    };
    try {
      for await (const part of model.stream({ messages, tools: tools.specs() }, signal ? { signal } : {})) {
        if (part.type === 'text-delta') {
          output.text += part.text;
          yield { type: 'text-delta', runId, at: now(), step, text: part.text };
        } else if (part.type === 'tool-call') {
          output.toolCalls.push(part.call);
        } else {
          output.usage = part.usage;
          output.finishReason = part.finishReason;
        }
      }
    } catch (error) {
      if (signal?.aborted) {
        yield end('cancelled', 'The run was cancelled.');
        return 'cancelled';
      }
      const message = errorMessage(error);
      yield end('failed', message, message);
      return 'failed';
    }

    const costUsd = costOf(output.usage, options.price);
    totals = {
      steps: step,
      toolCalls: totals.toolCalls + output.toolCalls.length,
      inputTokens: totals.inputTokens + output.usage.inputTokens,
      outputTokens: totals.outputTokens + output.usage.outputTokens,
      costUsd: totals.costUsd + costUsd,
    };
    yield { type: 'usage', runId, at: now(), step, usage: output.usage, costUsd, totals };
    messages.push({ role: 'assistant', text: output.text, toolCalls: output.toolCalls });

    if (output.toolCalls.length === 0) {
      yield { type: 'step-end', runId, at: now(), step, finishReason: output.finishReason };
      yield end('finished', output.text);
      return 'finished';
    }

    const results: ToolResultPart[] = [];
    for await (const event of executeToolCalls({ runId, step, calls: output.toolCalls, tools, now, results, ...(signal ? { signal } : {}) })) {
      yield event;
    }
    messages.push({ role: 'tool', results });
    yield { type: 'step-end', runId, at: now(), step, finishReason: output.finishReason };
    if (signal?.aborted) {
      yield end('cancelled', 'The run was cancelled.');
      return 'cancelled';
    }
  }
}

/**
 * Runs one step's tool calls in parallel. Emits every `tool-call` first, then each result in call order,
 * and fills `results` for the next model turn.
 */
async function* executeToolCalls(options: {
  runId: string;
  step: number;
  calls: readonly ToolCall[];
  tools: ToolExecutor;
  now: () => number;
  results: ToolResultPart[];
  signal?: AbortSignal;
}): AsyncGenerator<RunEvent> {
  const { runId, step, calls, tools, now, results, signal } = options;
  const addresses = calls.map((call) => tools.address(call.name) ?? { server: '?', tool: call.name });
  for (const [index, call] of calls.entries()) {
    const address = addresses[index]!;
    yield { type: 'tool-call', runId, at: now(), step, toolCallId: call.id, ...address, args: call.input };
  }
  const settled = await Promise.all(
    calls.map(async (call) => {
      const started = performance.now();
      try {
        const outcome = await tools.call(call.name, call.input, {
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
  for (const [index, call] of calls.entries()) {
    const { outcome, durationMs } = settled[index]!;
    const address = addresses[index]!;
    results.push({ toolCallId: call.id, toolName: call.name, output: outcome.text, isError: outcome.isError });
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
        ...('structured' in outcome && outcome.structured !== undefined ? { structured: outcome.structured } : {}),
        durationMs,
      };
    }
  }
}
