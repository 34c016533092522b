/**
 * @module Token estimates for context budgeting. Deliberately simple: about four characters per token, which
 * is close for English prose and JSON with the tokenizers of current OpenAI and Anthropic models (code and non-Latin
 * scripts run denser, hence the headroom left by `compaction.threshold`). No tokenizer dependency, no model call.
 */
import type { ModelMessage } from '../models/types.js';

/** Characters per token assumed by every estimate here. */
export const CHARS_PER_TOKEN = 4;
/** What a provider adds per message for its role and framing. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Estimated tokens of a text: `ceil(length / 4)`. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Transcript messages are immutable, so each is measured once. */
const messageTokens = new WeakMap<ModelMessage, number>();

/** Estimated tokens of one message as a provider receives it: its text, tool calls or results, plus framing. */
export function estimateMessageTokens(message: ModelMessage): number {
  const cached = messageTokens.get(message);
  if (cached !== undefined) return cached;
  let chars: number;
  switch (message.role) {
    case 'system':
    case 'user':
      chars = message.content.length;
      break;
    case 'assistant':
      chars = message.text.length + (message.toolCalls.length > 0 ? JSON.stringify(message.toolCalls).length : 0);
      break;
    case 'tool':
      chars = message.results.reduce(
        (sum, result) => sum + result.output.length + result.toolCallId.length + result.toolName.length,
        0,
      );
      break;
  }
  const tokens = Math.ceil(chars / CHARS_PER_TOKEN) + MESSAGE_OVERHEAD_TOKENS;
  messageTokens.set(message, tokens);
  return tokens;
}
