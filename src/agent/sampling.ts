import type { CreateMessageRequest, CreateMessageResult } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { Kysely } from 'kysely';
import type { SamplingHandler } from '../mcp/connection-types.js';
import { costOf, type PricedModel } from '../models/pricing.js';
import { ESTIMATE_CHARS_PER_TOKEN, promptCounter } from '../models/token-count.js';
import type { ModelMessage } from '../models/types.js';
import type { Usage } from '../contracts/index.js';
import { mergeSignals } from '../shared/abort.js';
import { errorMessage } from '../shared/errors.js';
import { appendAudit } from '../store/audit-log.js';
import type { Database } from '../store/schema.js';
import type { ActiveRun, ActiveRuns } from './active-run.js';

/** Characters per token, roughly: a reply is cut to `maxTokens` by length, since the model interface has no limit. */
const CHARS_PER_TOKEN = 4;

export interface SamplerOptions {
  readonly runs: ActiveRuns;
  /** Where the `sampling` audit entries go. */
  readonly db: Kysely<Database>;
}

/** The request's messages as the model reads them: text only, other content named but left out. */
export function toModelMessages(request: CreateMessageRequest['params']): ModelMessage[] {
  const messages: ModelMessage[] = request.systemPrompt ? [{ role: 'system', content: request.systemPrompt }] : [];
  for (const message of request.messages) {
    const blocks = Array.isArray(message.content) ? message.content : [message.content];
    const text = blocks
      .map((block) => (block.type === 'text' ? block.text : `[${block.type} content left out]`))
      .join('\n');
    messages.push(
      message.role === 'user' ? { role: 'user', content: text } : { role: 'assistant', text, toolCalls: [] },
    );
  }
  return messages;
}

/**
 * Answers servers' `sampling/createMessage` requests with the model of the run that is calling them, as part of
 * that run: the usage and cost count against the run's budget (emitted as a `usage` event), a request is refused
 * once the budget is spent, and each one is audited (`sampling`, with server, model, tokens and cost). Without an
 * active run there is no model or budget to answer with, so requests are refused. Text only; `maxTokens` is
 * sent as the call's output limit (capped further by the budget), and the reply is cut to it as well.
 */
export class Sampler {
  constructor(private readonly options: SamplerOptions) {}

  /** The handler to give `McpHost.start` as its `sampling` option. */
  readonly handle: SamplingHandler = async (request, { server, signal }) => {
    const run = this.options.runs.forServer(server);
    if (!run)
      throw refusal(`Deckhand answers sampling requests only for a run that is calling '${server}', and none is.`);
    const messages = toModelMessages(request);
    let maxOutputTokens = request.maxTokens;
    let promptTokens = 0;
    if (run.budget) {
      // The same pre-call check as the loop's own model calls: refused if it could cross a limit, capped otherwise.
      const counter = run.promptCounter ?? CHAR_COUNTER;
      promptTokens = counter.count({ messages, tools: [] });
      const decision = run.budget.checkModelCall(run.spend(), { promptTokens, exact: counter.exact, price: run.priceOf(run.model) });
      if (!decision.ok) {
        await this.audit(run, 'sampling-refused', { server, reason: decision.reason, budgetUsd: run.budgetUsd, spentUsd: run.totals().costUsd });
        throw refusal(`Sampling refused: ${decision.reason} (the run's budget covers sampling too).`);
      }
      if (decision.maxOutputTokens !== undefined) maxOutputTokens = Math.min(maxOutputTokens, decision.maxOutputTokens);
    }
    let text = '';
    let usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let paid: PricedModel & { id: string } = run.model;
    const merged = mergeSignals(signal, run.signal);
    const started = Date.now();
    try {
      for await (const part of run.model.stream({ messages, tools: [], maxOutputTokens }, merged ? { signal: merged } : {})) {
        if (part.type === 'text-delta') text += part.text;
        else if (part.type === 'finish') {
          usage = part.usage;
          if (part.model) paid = part.model;
        }
      }
    } catch (error) {
      await this.audit(run, 'sampling-failed', { server, model: run.model.id, error: errorMessage(error) });
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        `Sampling with ${run.model.id} failed: ${errorMessage(error)}`,
      );
    }
    run.budget?.observe(promptTokens, usage.inputTokens);
    const costUsd = costOf(usage, run.priceOf(paid));
    run.addUsage(usage, costUsd, { model: paid.id, durationMs: Date.now() - started, ...(run.budget ? { promptTokensEstimate: promptTokens } : {}) });
    await this.audit(run, 'sampling', {
      server,
      model: paid.id,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costUsd,
      maxTokens: request.maxTokens,
    });
    const limit = request.maxTokens * CHARS_PER_TOKEN;
    const cut = text.length > limit;
    return {
      model: run.model.id,
      role: 'assistant',
      content: { type: 'text', text: cut ? text.slice(0, limit) : text },
      stopReason: cut ? 'maxTokens' : 'endTurn',
    } satisfies CreateMessageResult;
  };

  private audit(run: ActiveRun, action: string, details: Record<string, unknown>): Promise<void> {
    return appendAudit(this.options.db, { actor: 'deckhand', action, subject: run.runId, runId: run.runId, details });
  }
}

const CHAR_COUNTER = promptCounter((text) => Math.ceil(text.length / ESTIMATE_CHARS_PER_TOKEN), false);

/** Sampling refused by the host (the spec's "user rejected" case): the server sees the reason. */
function refusal(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidRequest, message);
}
