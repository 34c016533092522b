/**
 * @module Budgets that cannot be overrun. Limits per run, per session and per day (USD, tokens, steps, wall time,
 * tool calls) are checked before every model call against what the call could cost at most: the prompt's tokens
 * (counted with the model's tokenizer, or estimated and calibrated against what the provider reported) plus the
 * output tokens it is allowed. A call that could cross a limit is refused; one that fits gets its output capped to
 * what the budget leaves.
 */
import { costOf, type ModelPrice, priceAt } from '../models/pricing.js';

/** What a limit can bound. */
export type BudgetDimension = 'usd' | 'tokens' | 'steps' | 'wallSeconds' | 'toolCalls';
/** Whose spending a limit bounds: this run, its session (every run in it), or the whole install today (UTC). */
export type BudgetScope = 'run' | 'session' | 'day';

/** Limits of one scope; absent means unlimited. */
export interface Limits {
  readonly usd?: number | undefined;
  readonly tokens?: number | undefined;
  readonly steps?: number | undefined;
  readonly wallSeconds?: number | undefined;
  readonly toolCalls?: number | undefined;
}

/** `budget` in `deckhand.json` (plus `--budget-usd` / `--budget-tokens` for `run`). */
export interface BudgetLimits {
  readonly run?: Limits;
  readonly session?: Limits;
  readonly day?: Limits;
}

/** What has been spent, in every dimension. */
export interface Spend {
  readonly usd: number;
  readonly tokens: number;
  readonly steps: number;
  readonly toolCalls: number;
  readonly wallSeconds: number;
}

export const NO_SPEND: Spend = { usd: 0, tokens: 0, steps: 0, toolCalls: 0, wallSeconds: 0 };

/** What the session and the day had spent before this run started (from the store). */
export interface BudgetBaseline {
  readonly session: Spend;
  readonly day: Spend;
}

/** The limit a refusal is about. */
export interface BudgetBreach {
  readonly scope: BudgetScope;
  readonly dimension: BudgetDimension;
  readonly spent: number;
  readonly limit: number;
  /** What the refused call could have added at most (model calls and tool calls only). */
  readonly wouldAdd?: number;
}

/** The outcome of a check: go ahead (with the output cap for a model call), or stop. */
export type BudgetDecision =
  | { readonly ok: true; readonly maxOutputTokens?: number }
  | { readonly ok: false; readonly breach: BudgetBreach; readonly reason: string };

/** Output tokens a model call is allowed when a budget bounds it and nothing else does. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;
/** A call allowed fewer output tokens than this could not say anything useful: it is refused instead. */
export const MIN_OUTPUT_TOKENS = 16;
/** Estimates from four characters a token are raised by this much before calibration has anything to go on. */
const UNCALIBRATED_MARGIN = 1.25;

const SCOPES: readonly BudgetScope[] = ['run', 'session', 'day'];

/** Options of {@link Budget}. */
export interface BudgetOptions {
  readonly limits: BudgetLimits;
  readonly baseline?: BudgetBaseline;
  /** Output tokens a call may ask for when the budget leaves more. Default 4096. */
  readonly maxOutputTokens?: number;
}

/** The model call about to be made, as the budget sees it. */
export interface ModelCallEstimate {
  /** The prompt's tokens as counted before sending. */
  readonly promptTokens: number;
  /** True when `promptTokens` came from the model's own tokenizer. */
  readonly exact: boolean;
  readonly price: ModelPrice | undefined;
}

/**
 * The budget of one run. Stateless about the run's own spending (the caller passes the run's totals, sampling
 * included, so there is one source of truth), but it learns from each reported prompt how far its estimates are off.
 */
export class Budget {
  private readonly limits: BudgetLimits;
  private readonly baseline: BudgetBaseline;
  private readonly maxOutput: number;
  /** Reported prompt tokens over estimated ones, from the last call: how far the estimate runs low. */
  private calibration = 1;
  private calibrated = false;

  constructor(options: BudgetOptions) {
    this.limits = options.limits;
    this.baseline = options.baseline ?? { session: NO_SPEND, day: NO_SPEND };
    this.maxOutput = options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  }

  /** True when no limit at all is set. */
  get unlimited(): boolean {
    return SCOPES.every((scope) => Object.values(this.limits[scope] ?? {}).every((value) => value === undefined));
  }

  /** The run's USD limit, or null. */
  get runUsd(): number | null {
    return this.limits.run?.usd ?? null;
  }

  /** Learns from a call: the prompt was estimated at `estimated` tokens and the provider counted `reported`. */
  observe(estimated: number, reported: number): void {
    if (estimated <= 0 || reported <= 0) return;
    this.calibration = Math.max(1, reported / estimated);
    this.calibrated = true;
  }

  /** The prompt tokens to assume for a call: the count, raised by what the provider has shown it to be off by. */
  assumedPromptTokens(estimate: Pick<ModelCallEstimate, 'promptTokens' | 'exact'>): number {
    const margin = this.calibrated ? this.calibration : estimate.exact ? 1 : UNCALIBRATED_MARGIN;
    return Math.ceil(estimate.promptTokens * margin);
  }

  /**
   * Checks a model call before it is sent. `run` is the run's spending so far. Refuses when a step limit is reached,
   * when the wall time is used up, or when the prompt alone (or with the minimum of output) could cross a USD or
   * token limit; otherwise caps the call's output tokens to what every limit leaves.
   */
  checkModelCall(run: Spend, call: ModelCallEstimate): BudgetDecision {
    const prompt = this.assumedPromptTokens(call);
    let maxOutput: number | undefined;
    for (const scope of SCOPES) {
      const limits = this.limits[scope];
      if (!limits) continue;
      const spent = this.spentIn(scope, run);
      if (limits.steps !== undefined && spent.steps >= limits.steps) return refuse({ scope, dimension: 'steps', spent: spent.steps, limit: limits.steps, wouldAdd: 1 });
      if (limits.wallSeconds !== undefined && spent.wallSeconds >= limits.wallSeconds) {
        return refuse({ scope, dimension: 'wallSeconds', spent: spent.wallSeconds, limit: limits.wallSeconds });
      }
      if (limits.toolCalls !== undefined && spent.toolCalls >= limits.toolCalls) {
        return refuse({ scope, dimension: 'toolCalls', spent: spent.toolCalls, limit: limits.toolCalls });
      }
      if (limits.tokens !== undefined) {
        const left = limits.tokens - spent.tokens - prompt;
        if (left < MIN_OUTPUT_TOKENS) {
          return refuse({ scope, dimension: 'tokens', spent: spent.tokens, limit: limits.tokens, wouldAdd: prompt + Math.min(this.maxOutput, Math.max(left, MIN_OUTPUT_TOKENS)) });
        }
        maxOutput = Math.min(maxOutput ?? this.maxOutput, left);
      }
      if (limits.usd !== undefined) {
        const promptUsd = costOf({ inputTokens: prompt, outputTokens: 0 }, call.price);
        const leftUsd = limits.usd - spent.usd - promptUsd;
        // Output is charged at the rate of the tier the prompt reaches (long-context prices).
        const perOutputToken = (call.price ? priceAt(call.price, prompt).outputPerMTok : 0) / 1_000_000;
        const affordable = perOutputToken > 0 ? Math.floor(leftUsd / perOutputToken) : leftUsd >= 0 ? Number.POSITIVE_INFINITY : -1;
        if (affordable < MIN_OUTPUT_TOKENS) {
          const wouldAdd = promptUsd + perOutputToken * Math.min(this.maxOutput, MIN_OUTPUT_TOKENS);
          return refuse({ scope, dimension: 'usd', spent: spent.usd, limit: limits.usd, wouldAdd });
        }
        maxOutput = Math.min(maxOutput ?? this.maxOutput, affordable);
      }
    }
    return maxOutput === undefined ? { ok: true } : { ok: true, maxOutputTokens: maxOutput };
  }

  /** Checks a step's tool calls before they run: `count` more must fit every tool-call limit. */
  checkToolCalls(run: Spend, count: number): BudgetDecision {
    for (const scope of SCOPES) {
      const limit = this.limits[scope]?.toolCalls;
      if (limit === undefined) continue;
      const spent = this.spentIn(scope, run).toolCalls;
      if (spent + count > limit) return refuse({ scope, dimension: 'toolCalls', spent, limit, wouldAdd: count });
    }
    return { ok: true };
  }

  private spentIn(scope: BudgetScope, run: Spend): Spend {
    if (scope === 'run') return run;
    const before = this.baseline[scope];
    return {
      usd: before.usd + run.usd,
      tokens: before.tokens + run.tokens,
      steps: before.steps + run.steps,
      toolCalls: before.toolCalls + run.toolCalls,
      wallSeconds: before.wallSeconds + run.wallSeconds,
    };
  }
}

function refuse(breach: BudgetBreach): BudgetDecision {
  return { ok: false, breach, reason: describeBreach(breach) };
}

/** `budget exhausted: run usd 0.50 of 0.50`, plus what the refused call could have added. */
export function describeBreach(breach: BudgetBreach): string {
  const amount = (value: number) => formatAmount(breach.dimension, value);
  const base = `budget exhausted: ${breach.scope} ${breach.dimension} ${amount(breach.spent)} of ${amount(breach.limit)}`;
  if (breach.wouldAdd === undefined || breach.spent >= breach.limit) return base;
  const what = breach.dimension === 'toolCalls' ? 'the next tool calls would add' : 'the next model call could add up to';
  return `${base} (${what} ${amount(breach.wouldAdd)})`;
}

function formatAmount(dimension: BudgetDimension, value: number): string {
  if (dimension === 'usd') return value === 0 || value >= 0.01 ? value.toFixed(2) : String(Number(value.toPrecision(2)));
  if (dimension === 'wallSeconds') return value.toFixed(1);
  return String(Math.round(value));
}

/**
 * The command that continues a run stopped by `breach`, with the run limit raised enough for at least the refused
 * call (session and day limits live in `deckhand.json`, so for them it says which key to raise).
 */
export function resumeHint(runId: string, breach: BudgetBreach): string {
  if (breach.scope !== 'run') return `raise budget.${breach.scope}.${breach.dimension} in deckhand.json, then: deckhand resume ${runId}`;
  const needed = breach.spent + (breach.wouldAdd ?? 0);
  switch (breach.dimension) {
    case 'usd':
      return `deckhand resume ${runId} --budget-usd ${niceCeiling(Math.max(needed * 1.5, breach.limit * 2))}`;
    case 'tokens':
      return `deckhand resume ${runId} --budget-tokens ${niceCeiling(Math.max(needed * 1.5, breach.limit * 2))}`;
    case 'steps':
      return `deckhand resume ${runId} --max-steps ${Math.ceil(breach.limit * 2)}`;
    default:
      return `raise budget.run.${breach.dimension} in deckhand.json, then: deckhand resume ${runId}`;
  }
}

/** Rounds up to 1, 2 or 5 times a power of ten: 2.7 → 5, 0.013 → 0.02. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return Number((step * power).toPrecision(1));
  return Number((10 * power).toPrecision(1));
}
