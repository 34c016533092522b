import { randomUUID } from 'node:crypto';
import { costOf, type ModelPrice } from '../models/pricing.js';
import type { FinishReason, Model, ModelMessage, ToolCall, ToolResultPart, Usage } from '../models/types.js';
import { errorMessage } from '../shared/errors.js';
import type { RunEvent, RunOutcome, RunTotals } from './events.js';
import { isBudgetExhausted, isStepLimitReached } from './stop-conditions.js';
import { ALLOW_ALL, type GateResult, type ToolGate } from './tool-gate.js';
import { executeToolCalls, type GatedCall } from './tool-execution.js';
import type { ToolExecutor } from './tool-executor.js';

export const DEFAULT_MAX_STEPS = 20;

export const ZERO_TOTALS: RunTotals = { steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

/** What the loop hands its persistence hook: the transcript so far and where the run stands. */
export interface Checkpoint {
  readonly runId: string;
  readonly messages: readonly ModelMessage[];
  /** The step in progress (or the last one finished). */
  readonly step: number;
  readonly totals: RunTotals;
}

export interface RunAgentOptions {
  readonly model: Model;
  readonly tools: ToolExecutor;
  /**
   * The conversation so far, ending with the user's new message (or, when resuming, wherever the run stopped).
   * The loop appends this run's assistant and tool messages to this same array.
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
  /** Decides whether each tool call may run, or must wait for a person. Default: allow everything. */
  readonly gate?: ToolGate;
  /**
   * Persists the transcript and progress; awaited before a step's tools run (so a crash mid-call can be
   * resumed without repeating it), after their results, and when the run pauses.
   */
  readonly checkpoint?: (checkpoint: Checkpoint) => Promise<void>;
  /** Continue a paused or interrupted run: the step it was in and what it had spent. */
  readonly resume?: { readonly step: number; readonly totals: RunTotals };
  readonly signal?: AbortSignal;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /**
   * Shapes what each model call is sent (context compaction). Only the request changes: `messages` stays the full
   * transcript, which is what `checkpoint` persists. A throw ends the run as `failed` (`cancelled` when aborted).
   */
  readonly prepareMessages?: (messages: readonly ModelMessage[]) => Promise<readonly ModelMessage[]>;
}

interface StepOutput {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: FinishReason;
}

/** The assistant turn whose tool calls have no results yet: a resumed run starts by finishing it. */
function unfinishedStep(messages: readonly ModelMessage[]): Extract<ModelMessage, { role: 'assistant' }> | undefined {
  const last = messages.at(-1);
  return last?.role === 'assistant' && last.toolCalls.length > 0 ? last : undefined;
}

/**
 * Runs the agent loop: one model call per step, the step's tool calls (each cleared by the gate) in parallel,
 * results fed back, until the model answers without calling a tool, a call must wait for a person (`paused`),
 * the step limit or budget is reached, or the signal aborts. Yields the typed event stream; the last event is
 * always `run-end`. Never throws for model, tool or provider failures: they end the run with outcome `failed`.
 */
export async function* runAgent(options: RunAgentOptions): AsyncGenerator<RunEvent, RunOutcome> {
  const { model, tools, messages, signal } = options;
  const runId = options.runId ?? randomUUID();
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const budgetUsd = options.budgetUsd ?? null;
  const gate = options.gate ?? ALLOW_ALL;
  const now = options.now ?? Date.now;
  let totals: RunTotals = options.resume?.totals ?? ZERO_TOTALS;
  const save = (step: number) => options.checkpoint?.({ runId, messages, step, totals });

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
    ...(options.resume ? { resumed: true } : {}),
  };

  let step = options.resume?.step ?? 0;
  let pending = options.resume ? unfinishedStep(messages) : undefined;
  for (;;) {
    if (signal?.aborted) {
      yield end('cancelled', 'The run was cancelled.');
      return 'cancelled';
    }
    let output: StepOutput;
    if (pending) {
      // Finishing the step a paused or interrupted run stopped in: no new model call.
      output = { text: pending.text, toolCalls: [...pending.toolCalls], usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'tool-calls' };
      pending = undefined;
    } else {
      step += 1;
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
      output = { text: '', toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'other' };
      try {
        const request = options.prepareMessages ? await options.prepareMessages(messages) : messages;
        for await (const part of model.stream({ messages: request, tools: tools.specs() }, signal ? { signal } : {})) {
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
        steps: totals.steps + 1,
        toolCalls: totals.toolCalls + output.toolCalls.length,
        inputTokens: totals.inputTokens + output.usage.inputTokens,
        outputTokens: totals.outputTokens + output.usage.outputTokens,
        costUsd: totals.costUsd + costUsd,
      };
      yield { type: 'usage', runId, at: now(), step, usage: output.usage, costUsd, totals };
      messages.push({ role: 'assistant', text: output.text, toolCalls: output.toolCalls });
      if (output.toolCalls.length === 0) {
        yield { type: 'step-end', runId, at: now(), step, finishReason: output.finishReason };
        await save(step);
        yield end('finished', output.text);
        return 'finished';
      }
      yield* announceCalls(runId, step, output.toolCalls, tools, now);
      // The assistant turn is durable before any of its side effects start.
      await save(step);
    }

    // Every call is cleared before any runs: a step either waits whole for a person or goes ahead whole.
    const gated: Array<{ call: ToolCall; result: GateResult }> = [];
    for (const call of output.toolCalls) {
      const address = tools.address(call.name) ?? { server: '?', tool: call.name };
      const result = await gate.check({
        runId,
        sessionId: options.sessionId,
        step,
        toolCallId: call.id,
        modelToolName: call.name,
        ...address,
        args: call.input,
        reason: output.text,
      });
      gated.push({ call, result });
    }
    const waiting = gated.filter((entry) => entry.result.type === 'ask');
    if (waiting.length > 0) {
      for (const { call, result } of waiting) {
        if (result.type !== 'ask') continue;
        const address = tools.address(call.name) ?? { server: '?', tool: call.name };
        yield {
          type: 'approval-request',
          runId,
          at: now(),
          step,
          toolCallId: call.id,
          approvalId: result.approvalId,
          kind: result.kind,
          ...address,
          args: call.input,
          reason: output.text,
          risk: result.risk,
          because: result.because,
          expiresAt: result.expiresAt,
        };
      }
      await save(step);
      const what = waiting.length === 1 ? '1 tool call is' : `${waiting.length} tool calls are`;
      yield end('paused', `Paused: ${what} waiting for a person to decide.`);
      return 'paused';
    }

    const calls: GatedCall[] = [];
    for (const { call, result } of gated) {
      if (result.type === 'ask') continue;
      const address = tools.address(call.name) ?? { server: '?', tool: call.name };
      if (result.resolution) {
        yield {
          type: 'approval-response',
          runId,
          at: now(),
          step,
          toolCallId: call.id,
          approvalId: result.resolution.approvalId,
          decision: result.resolution.decision,
          by: result.resolution.by,
          ...(result.resolution.note !== undefined ? { note: result.resolution.note } : {}),
        };
      }
      calls.push({ call, address, gate: result });
    }
    const results: ToolResultPart[] = [];
    yield* executeToolCalls({ runId, step, calls, tools, now, results, ...(signal ? { signal } : {}) });
    messages.push({ role: 'tool', results });
    // The step's results, its events and its end are stored in one transaction.
    yield { type: 'step-end', runId, at: now(), step, finishReason: output.finishReason };
    await save(step);
    if (signal?.aborted) {
      yield end('cancelled', 'The run was cancelled.');
      return 'cancelled';
    }
  }
}

function* announceCalls(runId: string, step: number, calls: readonly ToolCall[], tools: ToolExecutor, now: () => number): Generator<RunEvent> {
  for (const call of calls) {
    const address = tools.address(call.name) ?? { server: '?', tool: call.name };
    yield { type: 'tool-call', runId, at: now(), step, toolCallId: call.id, ...address, args: call.input };
  }
}
