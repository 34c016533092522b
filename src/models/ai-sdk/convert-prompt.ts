import type { ModelMessage, ToolResultPart } from '../types.js';
import type { ToolSpec } from '../../contracts/index.js';
import type { V4Message, V4Prompt, V4Tool } from './v4-types.js';

/**
 * Converts Deckhand's transcript into the AI SDK's provider-neutral prompt. Each provider package then
 * renders it in its own wire format (Chat Completions `tool_calls` / `role: tool`, Messages `tool_use` /
 * `tool_result` blocks), so this is the only conversion Deckhand owns.
 */
export function toV4Prompt(messages: readonly ModelMessage[]): V4Prompt {
  const memo = promptMemo.get(messages);
  if (memo && onlyAppendedSince(memo, messages)) {
    appendConverted(memo.prompt, messages, memo.converted);
    memo.converted = messages.length;
    memo.last = messages.at(-1);
    return memo.prompt.slice();
  }
  const prompt: V4Prompt = [];
  appendConverted(prompt, messages, 0);
  promptMemo.set(messages, { prompt, converted: messages.length, last: messages.at(-1) });
  return prompt.slice();
}

/**
 * The loop sends the same transcript array on every step and only appends to it, so the prompt is converted
 * incrementally: only the messages added since the last request are converted, instead of walking the whole
 * transcript each step (which made a step's cost grow with the run). Each request gets its own copy of the
 * array, so a provider that keeps the prompt it was given never sees it grow. A transcript that changed other
 * than by appending (shorter, or a different message where the last converted one was) is converted afresh.
 */
interface PromptMemo {
  readonly prompt: V4Prompt;
  converted: number;
  last: ModelMessage | undefined;
}

const promptMemo = new WeakMap<readonly ModelMessage[], PromptMemo>();

function onlyAppendedSince(memo: PromptMemo, messages: readonly ModelMessage[]): boolean {
  if (messages.length < memo.converted) return false;
  return memo.converted === 0 || messages[memo.converted - 1] === memo.last;
}

function appendConverted(prompt: V4Prompt, messages: readonly ModelMessage[], from: number): void {
  for (let index = from; index < messages.length; index++) {
    const converted = convertedMessage(messages[index]!);
    if (converted) prompt.push(converted);
  }
}

/**
 * Transcript messages are immutable, so each message is converted once and reused when the same message
 * reaches a new array (compaction builds a fresh request array each step).
 */
const messageCache = new WeakMap<ModelMessage, V4Message | null>();

function convertedMessage(message: ModelMessage): V4Message | undefined {
  const cached = messageCache.get(message);
  if (cached !== undefined) return cached ?? undefined;
  const converted = toV4Message(message);
  messageCache.set(message, converted ?? null);
  return converted;
}

function toV4Message(message: ModelMessage): V4Message | undefined {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: [{ type: 'text', text: message.content }] };
    case 'assistant': {
      const content: Extract<V4Message, { role: 'assistant' }>['content'] = [];
      // Anthropic rejects empty text blocks, and a turn that only called tools has no text to send.
      if (message.text.length > 0) content.push({ type: 'text', text: message.text });
      for (const call of message.toolCalls) {
        content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: call.input });
      }
      return content.length > 0 ? { role: 'assistant', content } : undefined;
    }
    case 'tool':
      return {
        role: 'tool',
        content: message.results.map((result) => ({
          type: 'tool-result' as const,
          toolCallId: result.toolCallId,
          toolName: result.toolName,
          // `error-text` lets providers flag the failure (Anthropic sets `is_error: true`).
          output: result.isError
            ? { type: 'error-text' as const, value: withRanWith(result) }
            : { type: 'text' as const, value: withRanWith(result) },
        })),
      };
  }
}

/** Converts the tool catalog into AI SDK function tools; `undefined` when there are none (OpenAI rejects `tools: []`). */
export function toV4Tools(tools: readonly ToolSpec[]): V4Tool[] | undefined {
  if (tools.length === 0) return undefined;
  // The host hands out the same catalog array until a server's tool list changes.
  const cached = toolsCache.get(tools);
  if (cached) return cached;
  const converted = tools.map((tool) => ({
    type: 'function' as const,
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Extract<V4Tool, { type: 'function' }>['inputSchema'],
  }));
  toolsCache.set(tools, converted);
  return converted;
}

const toolsCache = new WeakMap<readonly ToolSpec[], V4Tool[]>();

/** A result's text, told first what the call really ran with when a person edited its arguments. */
function withRanWith(result: ToolResultPart): string {
  if (!result.ranWith) return result.output;
  return `A person edited the arguments before approving: the call ran with ${JSON.stringify(result.ranWith)}, not the arguments you proposed. Report what ran.\n${result.output}`;
}
