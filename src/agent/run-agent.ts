import { newRecordId } from '../shared/ids.js';
import { costOf, type ModelPrice, type PricedModel } from '../models/pricing.js';
import { ESTIMATE_CHARS_PER_TOKEN, type PromptCounter, promptCounter } from '../models/token-count.js';
import type { AnsweringModel, Model, ModelMessage, ModelNotice, ToolCall, ToolResultPart } from '../models/types.js';
import { type FinishReason, type RunEvent, type RunOutcome, type RunTotals, type ToolExecutor, type Usage, ZERO_TOTALS } from '../contracts/index.js';
import { errorMessage } from '../shared/errors.js';
import { Budget, type BudgetDecision, resumeHint, type Spend } from './budget.js';
import { RunawayDetector } from './runaway.js';
import { addUsage, countCache, spendOf } from './totals.js';
import { isStepLimitReached } from './stop-conditions.js';
import { ALLOW_ALL, type GateResult, type ToolGate } from './tool-gate.js';
import { executeToolCalls, type GatedCall } from './tool-execution.js';

export const DEFAULT_MAX_STEPS = 20;


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
  /** Shorthand for a run-only USD limit when `budget` is not given. Default: no limit. */
  readonly budgetUsd?: number | null;
  /**
   * The limits checked before every model call and before a step's tool calls (run, session, day). Default: the
   * `budgetUsd` limit, or none.
   */
  readonly budget?: Budget;
  /** Counts a request's prompt tokens for the budget's estimate. Default: four characters a token. */
  readonly promptCounter?: PromptCounter;
  /** The price of the run's model (when `priceOf` is not given). */
  readonly price?: ModelPrice;
  /** The price of whichever model answered (a fallback chain may switch); undefined when unknown. */
  readonly priceOf?: (model: PricedModel) => ModelPrice | undefined;
  /**
   * The run's whole spending given the loop's own totals (sampling requests answered for the run are added by its
   * `ActiveRun`): what the budget is checked against. Default: the loop's totals.
   */
  readonly combine?: (totals: RunTotals) => RunTotals;
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
  model?: AnsweringModel;
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
  const runId = options.runId ?? newRecordId();
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const budget = options.budget ?? (options.budgetUsd != null ? new Budget({ limits: { run: { usd: options.budgetUsd } } }) : undefined);
  const budgetUsd = budget ? budget.runUsd : (options.budgetUsd ?? null);
  const counter = options.promptCounter ?? DEFAULT_PROMPT_COUNTER;
  const priceOf = options.priceOf ?? (() => options.price);
  const combine = options.combine ?? ((loop: RunTotals) => loop);
  const gate = options.gate ?? ALLOW_ALL;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const runaway = new RunawayDetector();
  const unpriced = new Set<string>();
  let totals: RunTotals = options.resume?.totals ?? ZERO_TOTALS;
  const save = (step: number) => options.checkpoint?.({ runId, messages, step, totals });
  const spend = (): Spend => spendOf(combine(totals), (now() - startedAt) / 1_000);

  const end = (outcome: RunOutcome, text: string, error?: string, resumeCommand?: string): RunEvent => ({
    type: 'run-end',
    runId,
    at: now(),
    outcome,
    text,
    ...(error !== undefined ? { error } : {}),
    totals,
    ...(resumeCommand !== undefined ? { resumeCommand } : {}),
  });
  // A failure while preparing or streaming a step: a cancellation when the caller aborted, else the run fails
  // with the error's message.
  const stopped = (error: unknown): { event: RunEvent; outcome: 'cancelled' | 'failed' } => {
    if (signal?.aborted) return { event: end('cancelled', 'The run was cancelled.'), outcome: 'cancelled' };
    const message = errorMessage(error);
    return { event: end('failed', message, message), outcome: 'failed' };
  };
  const exhausted = (decision: Extract<BudgetDecision, { ok: false }>): RunEvent => {
    const command = resumeHint(runId, decision.breach);
    return end('budget-exhausted', `${capitalise(decision.reason)}. To continue: ${command}`, undefined, command);
  };

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
      let request: { messages: readonly ModelMessage[]; tools: ReturnType<ToolExecutor['specs']>; maxOutputTokens?: number };
      let promptTokens = 0;
      try {
        request = { messages: options.prepareMessages ? await options.prepareMessages(messages) : messages, tools: tools.specs() };
      } catch (error) {
        const stop = stopped(error);
        yield stop.event;
        return stop.outcome;
      }
      if (budget) {
        // The most this call can cost, checked before anything is sent; its output is capped to what is left.
        promptTokens = counter.count(request);
        const decision = budget.checkModelCall(spend(), { promptTokens, exact: counter.exact, price: priceOf(model) });
        if (!decision.ok) {
          yield exhausted(decision);
          return 'budget-exhausted';
        }
        if (decision.maxOutputTokens !== undefined) request = { ...request, maxOutputTokens: decision.maxOutputTokens };
      }
      yield { type: 'step-start', runId, at: now(), step };
      output = { text: '', toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'other' };
      const callStarted = now();
      try {
        for await (const part of model.stream(request, signal ? { signal } : {})) {
          if (part.type === 'text-delta') {
            output.text += part.text;
            yield { type: 'text-delta', runId, at: now(), step, text: part.text };
          } else if (part.type === 'tool-call') {
            output.toolCalls.push(part.call);
          } else if (part.type === 'notice') {
            yield noticeEvent(runId, step, now(), part.notice);
          } else {
            output.usage = part.usage;
            output.finishReason = part.finishReason;
            if (part.model) output.model = part.model;
          }
        }
      } catch (error) {
        const stop = stopped(error);
        yield stop.event;
        return stop.outcome;
      }
      const paid: AnsweringModel = output.model ?? model;
      const price = paid === model ? priceOf(model) : priceOf(paid);
      // Said once per model and run, and only when prices were given at all (a bare loop in a test has none).
      if (!price && options.priceOf && !unpriced.has(paid.id)) {
        unpriced.add(paid.id);
        yield {
          type: 'warning',
          runId,
          at: now(),
          step,
          message: `No price is known for ${paid.id}: its calls are counted as $0. Add it to "pricing" in deckhand.json.`,
        };
      }
      budget?.observe(promptTokens, output.usage.inputTokens);
      const costUsd = costOf(output.usage, price);
      totals = addUsage(totals, output.usage, costUsd, output.toolCalls.length);
      yield {
        type: 'usage',
        runId,
        at: now(),
        step,
        usage: output.usage,
        costUsd,
        totals,
        model: paid.id,
        kind: 'step',
        durationMs: now() - callStarted,
        ...(promptTokens > 0 ? { promptTokensEstimate: promptTokens } : {}),
      };
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
      const allowed = budget?.checkToolCalls(spendOf(combine({ ...totals, toolCalls: totals.toolCalls - output.toolCalls.length }), (now() - startedAt) / 1_000), output.toolCalls.length);
      if (allowed && !allowed.ok) {
        // Stored as an unfinished step: a resume with a higher limit runs these calls.
        yield exhausted(allowed);
        return 'budget-exhausted';
      }
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
          ...(result.type === 'allow' && result.args ? { args: result.args } : {}),
        };
      }
      calls.push({ call, address, gate: result });
    }
    const results: ToolResultPart[] = [];
    for await (const event of executeToolCalls({ runId, step, calls, tools, now, results, ...(signal ? { signal } : {}) })) {
      if (event.type === 'tool-result' && event.cache) totals = countCache(totals, event.cache);
      yield event;
    }
    messages.push({ role: 'tool', results });
    // The step's results, its events and its end are stored in one transaction.
    yield { type: 'step-end', runId, at: now(), step, finishReason: output.finishReason };
    await save(step);
    if (signal?.aborted) {
      yield end('cancelled', 'The run was cancelled.');
      return 'cancelled';
    }
    const circling = repeatedRound(runaway, calls, results);
    if (circling) {
      yield end('failed', circling, circling);
      return 'failed';
    }
  }
}

/** A prompt counter for models without one of their own: four characters a token. */
const DEFAULT_PROMPT_COUNTER = promptCounter((text) => Math.ceil(text.length / ESTIMATE_CHARS_PER_TOKEN), false);

function noticeEvent(runId: string, step: number, at: number, notice: ModelNotice): RunEvent {
  if (notice.kind === 'retry') {
    return { type: 'model-retry', runId, at, step, model: notice.model, attempt: notice.attempt, delayMs: notice.delayMs, error: notice.error };
  }
  return { type: 'model-fallback', runId, at, step, from: notice.from, to: notice.to, error: notice.error };
}

/** The runaway check over one step's finished calls: the reason to stop, if one went round a third time. */
function repeatedRound(runaway: RunawayDetector, calls: readonly GatedCall[], results: readonly ToolResultPart[]): string | undefined {
  for (const { call, address } of calls) {
    const result = results.find((entry) => entry.toolCallId === call.id);
    if (!result) continue;
    const reason = runaway.record(`${address.server}.${address.tool}`, call.input, result.output);
    if (reason) return reason;
  }
  return undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function* announceCalls(runId: string, step: number, calls: readonly ToolCall[], tools: ToolExecutor, now: () => number): Generator<RunEvent> {
  for (const call of calls) {
    const address = tools.address(call.name) ?? { server: '?', tool: call.name };
    yield { type: 'tool-call', runId, at: now(), step, toolCallId: call.id, ...address, args: call.input };
  }
}
