/**
 * @module Counting a request's prompt tokens before it is sent, for the budget's pre-call estimate: OpenAI models
 * with their real tokenizer (`gpt-tokenizer`, o200k or cl100k), every other model with four characters a token,
 * which the budget then calibrates against what the provider reports.
 */
import type { ModelMessage, ModelRequest } from './types.js';
import type { ToolSpec } from '../contracts/index.js';
import type { PricedModel } from './pricing.js';

/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;

/** A model's prompt counter and whether it is the model's own tokenizer (`exact`) or an estimate. */
export interface PromptCounter {
  readonly exact: boolean;
  /** Tokens of the whole request as the provider will see it: messages, their framing, and the tool specs. */
  count(request: ModelRequest): number;
}

/** Characters per token of the estimate for models without a tokenizer here. */
export const ESTIMATE_CHARS_PER_TOKEN = 4;
/** Tokens a chat format adds per message for its role and delimiters. */
const MESSAGE_FRAMING_TOKENS = 4;

const charEstimate: TokenCounter = (text) => Math.ceil(text.length / ESTIMATE_CHARS_PER_TOKEN);

/** The tiktoken encoding of an OpenAI model: o200k for the gpt-4o generation on, cl100k before it; else none. */
export function openaiEncoding(modelName: string): 'o200k_base' | 'cl100k_base' | undefined {
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|codex)/.test(modelName)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5)/.test(modelName)) return 'cl100k_base';
  return undefined;
}

/**
 * The prompt counter for a model: its tokenizer when it is an OpenAI model (loaded on first use; the tables are
 * large), else the character estimate. Never throws.
 */
export async function loadPromptCounter(model: PricedModel): Promise<PromptCounter> {
  const encoding = model.provider === 'openai' ? openaiEncoding(model.modelName) : undefined;
  if (!encoding) return promptCounter(charEstimate, false);
  const tokenizer =
    encoding === 'o200k_base'
      ? await import('gpt-tokenizer/encoding/o200k_base')
      : await import('gpt-tokenizer/encoding/cl100k_base');
  // `countTokens` would reject text that spells a special token (`<|endoftext|>`); a prompt may, so allow them.
  return promptCounter((text) => tokenizer.encode(text, { disallowedSpecial: new Set() }).length, true);
}

/**
 * A prompt counter over a text counter. Transcript messages are immutable, so each is counted once; so is each
 * distinct tool list.
 */
export function promptCounter(countText: TokenCounter, exact: boolean): PromptCounter {
  const specTokens = new WeakMap<readonly ToolSpec[], number>();
  const messageTokens = new WeakMap<ModelMessage, number>();
  const countMessage = (message: ModelMessage): number => {
    let tokens = MESSAGE_FRAMING_TOKENS;
    switch (message.role) {
      case 'system':
      case 'user':
        tokens += countText(message.content);
        break;
      case 'assistant':
        tokens += countText(message.text);
        if (message.toolCalls.length > 0) tokens += countText(JSON.stringify(message.toolCalls));
        break;
      case 'tool':
        for (const result of message.results) tokens += countText(result.output) + MESSAGE_FRAMING_TOKENS;
        break;
    }
    return tokens;
  };
  return {
    exact,
    count(request) {
      let tokens = 0;
      for (const message of request.messages) {
        let counted = messageTokens.get(message);
        if (counted === undefined) {
          counted = countMessage(message);
          messageTokens.set(message, counted);
        }
        tokens += counted;
      }
      let tools = specTokens.get(request.tools);
      if (tools === undefined) {
        tools = request.tools.length === 0 ? 0 : countText(JSON.stringify(request.tools));
        specTokens.set(request.tools, tools);
      }
      return tokens + tools;
    },
  };
}
