/**
 * @module The investigation summary written by the model itself: the turns to compact are rendered as plain text
 * and the model merges them into the running summary, one `Model.stream` call per chunk that fits its window.
 */
import type { Model, ModelMessage } from '../models/types.js';
import type { Usage } from '../contracts/index.js';
import { type NumberedTurn, condenseSummary, extractiveSummary } from './extractive-summary.js';
import { estimateTokens } from './token-estimate.js';
import { clip, defaultDisplayName, formatArgs } from './turn-digest.js';

/** A tool result is shown to the summariser cut to this many characters. */
const RESULT_CHARS = 1_500;
/** Words the model is asked to stay under, per token of the summary's allowance (about 0.75 words a token). */
const WORDS_PER_TOKEN = 0.7;

const INSTRUCTIONS = `You maintain the investigation summary of an operations session, so the conversation can continue after its older turns are dropped from the context.
Merge the earlier summary and the new turns into one updated summary.
- One line per turn, in order, starting "Turn N: " with the turn's number.
- Keep every identifier (order, customer, SKU, issue ids), name, email address, amount, date, decision, fact the user stated, tool outcome and open question. Drop pleasantries and repetition.
- Keep earlier lines as they are unless you must shorten them to stay under the length limit; shorten the oldest first.
Reply with the summary only.`;

/** One turn as the summariser reads it. */
function renderTurn(turn: NumberedTurn, display: (name: string) => string): string {
  const lines = [`Turn ${turn.number}`];
  for (const message of turn.messages) {
    if (message.role === 'user') lines.push(`User: ${message.content}`);
    else if (message.role === 'assistant') {
      if (message.text.trim() !== '') lines.push(`Assistant: ${message.text}`);
      for (const call of message.toolCalls)
        lines.push(`Assistant called ${display(call.name)}(${formatArgs(call.input, 400)})`);
    } else if (message.role === 'tool') {
      for (const result of message.results) {
        lines.push(
          `${result.isError ? 'Error from' : 'Result of'} ${display(result.toolName)}: ${clip(result.output, RESULT_CHARS)}`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** Turns grouped so each group's text stays under `maxTokens` (a longer single turn is a group of its own). */
function chunks(rendered: readonly string[], maxTokens: number): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const text of rendered) {
    const tokens = estimateTokens(text);
    if (current.length > 0 && size + tokens > maxTokens) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(text);
    size += tokens;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function summariseOnce(model: Model, request: readonly ModelMessage[], signal: AbortSignal | undefined) {
  let text = '';
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  for await (const part of model.stream({ messages: request, tools: [] }, signal ? { signal } : {})) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'finish') usage = part.usage;
  }
  return { text: text.trim(), usage };
}

/**
 * Merges `turns` into `previous` with the model: turns go in chunks of at most `chunkTokens` of rendered text, one
 * `Model.stream` call each (no tools). A chunk whose call fails or comes back empty is summarised extractively
 * instead, so compaction never fails a run; an abort is rethrown. The result is condensed to `maxTokens` if the
 * model overran. Returns the summary and the usage of every call made.
 */
export async function modelSummary(options: {
  model: Model;
  previous: string | null;
  turns: readonly NumberedTurn[];
  maxTokens: number;
  chunkTokens: number;
  signal?: AbortSignal;
  display?: (modelToolName: string) => string;
}): Promise<{ summary: string; usage: Usage }> {
  const { model, turns, maxTokens, signal } = options;
  const display = options.display ?? defaultDisplayName;
  const rendered = turns.map((turn) => renderTurn(turn, display));
  let summary = options.previous;
  let inputTokens = 0;
  let outputTokens = 0;
  let offset = 0;
  for (const group of chunks(rendered, Math.max(1, options.chunkTokens - maxTokens))) {
    const groupTurns = turns.slice(offset, offset + group.length);
    offset += group.length;
    const request: ModelMessage[] = [
      { role: 'system', content: INSTRUCTIONS },
      {
        role: 'user',
        content: `Earlier summary:\n${summary ?? '(none yet)'}\n\nNew turns:\n${group.join('\n\n')}\n\nWrite the updated summary in at most ${Math.floor(maxTokens * WORDS_PER_TOKEN)} words.`,
      },
    ];
    try {
      const result = await summariseOnce(model, request, signal);
      inputTokens += result.usage.inputTokens;
      outputTokens += result.usage.outputTokens;
      summary =
        result.text !== ''
          ? result.text
          : extractiveSummary({ previous: summary, turns: groupTurns, maxTokens, display });
    } catch (error) {
      if (signal?.aborted) throw error;
      summary = extractiveSummary({ previous: summary, turns: groupTurns, maxTokens, display });
    }
  }
  return { summary: condenseSummary(summary ?? '', maxTokens), usage: { inputTokens, outputTokens } };
}
