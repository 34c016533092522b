/**
 * @module Context compaction: when a request's messages near a share of the model's context window, the oldest
 * whole turns are summarised into the session's investigation summary (by the model, or extractively offline) and
 * the model is sent `[system, summary, ...recent turns]`. The raw history stays in `session_messages`.
 */
import type { CompactionConfig } from '../config/schema.js';
import { contextWindowOf } from '../models/context-window.js';
import type { Model, ModelMessage } from '../models/types.js';
import type { Usage } from '../contracts/index.js';
import { extractiveSummary, type NumberedTurn } from './extractive-summary.js';
import { modelSummary } from './model-summary.js';
import { estimateMessageTokens, estimateTokens } from './token-estimate.js';

/** Compact once a request would fill this share of the context window. */
export const DEFAULT_COMPACTION_THRESHOLD = 0.75;
/** Compaction brings a request down to this share of the budget, so it does not run again on the next step. */
const COMPACT_TO_SHARE_OF_BUDGET = 0.6;
/** The summary may fill at most this share of the budget; beyond it, it is condensed oldest line first. */
const SUMMARY_SHARE_OF_BUDGET = 0.4;
/**
 * Earlier turns always kept verbatim besides the current one: a short reply ("yes", "XYZ-789") means nothing
 * without the question it answers.
 */
const KEEP_RECENT_TURNS = 1;

/** Where the summary lives: `SessionStore` implements it. */
export interface SummaryStore {
  summary(sessionId: string): Promise<{ summary: string | null; through: number }>;
  saveSummary(sessionId: string, summary: string, through: number): Promise<void>;
}

export interface CompactorOptions {
  /** The run's model: its context window sets the budget, and it writes the summary unless `summarizer` says otherwise. */
  readonly model: Model;
  readonly store: SummaryStore;
  readonly sessionId: string;
  /** `compaction` from the config. Defaults: threshold 0.75, the model's window from `contextWindowOf`. */
  readonly config?: CompactionConfig;
  /** Tokens every request carries besides its messages (the tool specs). Default 0. */
  readonly overheadTokens?: () => number;
  /** Who writes the summary. Default: `extractive` for the offline model, `model` for every other. */
  readonly summarizer?: 'model' | 'extractive';
  /** Messages at the front of the transcript that are not session messages (the system prompt). Default 1. */
  readonly preamble?: number;
  readonly display?: (modelToolName: string) => string;
  readonly signal?: AbortSignal;
}

const HEADING =
  'Investigation summary of the earlier turns of this session (their full messages are stored, not shown here):';

/**
 * Compacts one run's requests. `prepare(messages)` takes the loop's full transcript — `messages[i]` for
 * `i >= preamble` is the session's message seq `i - preamble + 1` — and returns what the model should be sent.
 * Only whole user turns before the current one (and the {@link KEEP_RECENT_TURNS} before it) are compacted, so an
 * assistant's tool calls always travel with their results and the task at hand is always verbatim. A request
 * that is over budget with nothing left to compact is sent as it is.
 */
export class Compactor {
  /** Tokens a request may fill before compaction: threshold × context window. */
  readonly budgetTokens: number;
  private readonly preamble: number;
  private state: { summary: string | null; through: number } | undefined;
  private summaryMessage: ModelMessage | undefined;
  /** `prefix[i]`: estimated tokens of `messages[0..i)`, extended as the transcript grows. */
  private prefix: number[] = [0];
  private pending: { inputTokens: number; outputTokens: number } = { inputTokens: 0, outputTokens: 0 };

  constructor(private readonly options: CompactorOptions) {
    const threshold = options.config?.threshold ?? DEFAULT_COMPACTION_THRESHOLD;
    const window = options.config?.contextWindowTokens ?? contextWindowOf(options.model);
    this.budgetTokens = Math.floor(threshold * window);
    this.preamble = options.preamble ?? 1;
  }

  /** The `prepareMessages` hook of the loop. Throws only the signal's reason when aborted mid-summary. */
  readonly prepare = async (messages: readonly ModelMessage[]): Promise<readonly ModelMessage[]> => {
    const state = await this.load(messages);
    this.measure(messages);
    if (this.requestTokens(messages.length, state.through) > this.budgetTokens) await this.compact(messages);
    return this.view(messages);
  };

  /** Usage of summarisation calls not yet reported, reset by the call; {@link withCompactionUsage} reports it. */
  takeUsage(): Usage {
    const usage = this.pending;
    this.pending = { inputTokens: 0, outputTokens: 0 };
    return usage;
  }

  private async load(messages: readonly ModelMessage[]) {
    if (!this.state) {
      const stored = await this.options.store.summary(this.options.sessionId);
      // A summary that claims more than this transcript holds (a store edited by hand) is not trusted.
      const valid = stored.summary !== null && stored.through <= messages.length - this.preamble;
      this.setState(valid ? stored : { summary: null, through: 0 });
    }
    return this.state!;
  }

  private setState(state: { summary: string | null; through: number }): void {
    this.state = state;
    this.summaryMessage = state.summary ? { role: 'system', content: `${HEADING}\n${state.summary}` } : undefined;
  }

  private measure(messages: readonly ModelMessage[]): void {
    if (this.prefix.length > messages.length + 1) this.prefix = [0];
    for (let index = this.prefix.length - 1; index < messages.length; index++) {
      this.prefix.push(this.prefix[index]! + estimateMessageTokens(messages[index]!));
    }
  }

  /** Estimated tokens of the request sent when the first `through` session messages are summarised. */
  private requestTokens(length: number, through: number, summaryTokens = this.summaryTokens()): number {
    const kept = this.prefix[length]! - this.prefix[this.preamble + through]!;
    return (this.options.overheadTokens?.() ?? 0) + this.prefix[this.preamble]! + summaryTokens + kept;
  }

  private summaryTokens(): number {
    return this.summaryMessage ? estimateMessageTokens(this.summaryMessage) : 0;
  }

  private view(messages: readonly ModelMessage[]): readonly ModelMessage[] {
    if (!this.summaryMessage) return messages;
    return [
      ...messages.slice(0, this.preamble),
      this.summaryMessage,
      ...messages.slice(this.preamble + this.state!.through),
    ];
  }

  private async compact(messages: readonly ModelMessage[]): Promise<void> {
    const starts: number[] = [];
    for (let index = this.preamble; index < messages.length; index++)
      if (messages[index]!.role === 'user') starts.push(index);
    const state = this.state!;
    const first = this.preamble + state.through;
    // Compacting up to a turn start `s` summarises messages[first, s); the current turn and those kept stay whole.
    const boundaries = starts
      .slice(0, Math.max(0, starts.length - 1 - KEEP_RECENT_TURNS))
      .filter((start) => start > first);
    if (boundaries.length === 0) return;
    const maxSummaryTokens = Math.floor(this.budgetTokens * SUMMARY_SHARE_OF_BUDGET);
    const target = this.budgetTokens * COMPACT_TO_SHARE_OF_BUDGET;
    // The summary will be at most its allowance; the first boundary that brings the request under target is enough.
    const boundary =
      boundaries.find(
        (start) => this.requestTokens(messages.length, start - this.preamble, maxSummaryTokens) <= target,
      ) ?? boundaries.at(-1)!;
    const turns: NumberedTurn[] = [];
    for (const [position, start] of starts.entries()) {
      if (start >= boundary) break;
      const end = starts[position + 1] ?? messages.length;
      if (end <= first) continue;
      // The first turn summarised starts where the last summary ended (anything before a session's first user
      // message goes with it).
      turns.push({ number: position + 1, messages: messages.slice(turns.length === 0 ? first : start, end) });
    }
    const summary = await this.summarise(state.summary, turns, maxSummaryTokens);
    const through = boundary - this.preamble;
    await this.options.store.saveSummary(this.options.sessionId, summary, through);
    this.setState({ summary, through });
  }

  private async summarise(previous: string | null, turns: readonly NumberedTurn[], maxTokens: number): Promise<string> {
    const { model, display, signal } = this.options;
    const summarizer = this.options.summarizer ?? (model.provider === 'offline' ? 'extractive' : 'model');
    if (summarizer === 'extractive')
      return extractiveSummary({ previous, turns, maxTokens, ...(display ? { display } : {}) });
    const result = await modelSummary({
      model,
      previous,
      turns,
      maxTokens,
      chunkTokens: this.budgetTokens,
      ...(signal ? { signal } : {}),
      ...(display ? { display } : {}),
    });
    this.pending = {
      inputTokens: this.pending.inputTokens + result.usage.inputTokens,
      outputTokens: this.pending.outputTokens + result.usage.outputTokens,
    };
    return result.summary;
  }
}

/**
 * The model with the compactor's summarisation usage added to the usage of the next step that reports any, so it
 * is counted in the run's totals and priced like the step (the summary is written by the same model). Everything
 * else passes through unchanged.
 */
export function withCompactionUsage(model: Model, compactor: Compactor): Model {
  return {
    id: model.id,
    provider: model.provider,
    modelName: model.modelName,
    async *stream(request, options) {
      for await (const part of model.stream(request, options)) {
        if (part.type !== 'finish') {
          yield part;
          continue;
        }
        const extra = compactor.takeUsage();
        yield {
          ...part,
          usage: {
            ...part.usage,
            inputTokens: part.usage.inputTokens + extra.inputTokens,
            outputTokens: part.usage.outputTokens + extra.outputTokens,
          },
        };
      }
    },
  };
}

/** Estimated tokens of the tool specs a request carries, cached per catalog (hosts hand out a new array on change). */
export function specTokens(): (specs: readonly unknown[]) => number {
  const cache = new WeakMap<readonly unknown[], number>();
  return (specs) => {
    let tokens = cache.get(specs);
    if (tokens === undefined) {
      tokens = estimateTokens(JSON.stringify(specs));
      cache.set(specs, tokens);
    }
    return tokens;
  };
}
