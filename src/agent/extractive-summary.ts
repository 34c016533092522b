/**
 * @module The deterministic investigation summary used offline (and when a model's summary fails): one
 * `Turn N: …` line per compacted turn, condensed oldest-first when it outgrows its share of the context.
 */
import type { ModelMessage } from '../models/types.js';
import { CHARS_PER_TOKEN, estimateTokens } from './token-estimate.js';
import { clip, digestMessages, formatTurnLine } from './turn-digest.js';

/** One whole turn to summarise: its number in the session (1-based) and its messages. */
export interface NumberedTurn {
  readonly number: number;
  readonly messages: readonly ModelMessage[];
}

/** What a condensed line keeps of each segment: the request and the entities, shortened. */
const CONDENSED_SEGMENTS = 2;
const CONDENSED_LINE_CHARS = 160;
const OMITTED = /^\((?:Turns?|Earlier turns) [\d–-]*\s?omitted/;
/** `Turn 3:` or the omission note's `(Turns 1–40 omitted`: the turn numbers a line covers. */
const TURN_RANGE = /^\(?Turns? (\d+)(?:–(\d+))?/;
const NOTE_TOKENS = 24;

/** The lines of a summary; a `Turn N:` line may wrap onto following lines only in model-written summaries. */
function linesOf(summary: string | null): string[] {
  return (summary ?? '').split('\n').filter((line) => line.trim() !== '');
}

function lineTokens(line: string): number {
  return estimateTokens(line) + 1;
}

function condensed(line: string): string {
  const segments = line.split(' | ');
  return clip(segments.slice(0, CONDENSED_SEGMENTS).join(' | '), CONDENSED_LINE_CHARS);
}

/**
 * Fits a summary into `maxTokens`: first condenses lines oldest first (each keeps its request and entities), then
 * drops the oldest lines, leaving a note of which turns were omitted (the raw history stays in the store).
 * Returns the summary unchanged when it already fits. Pure; never throws.
 */
export function condenseSummary(summary: string, maxTokens: number): string {
  const lines = linesOf(summary);
  // Counted line by line (each with its newline): never less than the estimate of the joined text.
  let total = lines.reduce((sum, line) => sum + lineTokens(line), 0);
  for (let index = 0; index < lines.length && total > maxTokens; index++) {
    const line = lines[index]!;
    if (OMITTED.test(line)) continue;
    const shorter = condensed(line);
    total -= lineTokens(line) - lineTokens(shorter);
    lines[index] = shorter;
  }
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let dropped = 0;
  // Down to the budget less room for the note that says which turns were dropped.
  if (total > maxTokens) {
    while (lines.length > 1 && total > maxTokens - NOTE_TOKENS) {
      const line = lines.shift()!;
      total -= lineTokens(line);
      dropped += 1;
      const range = TURN_RANGE.exec(line);
      if (range) {
        first = Math.min(first, Number(range[1]));
        last = Math.max(last, Number(range[2] ?? range[1]));
      }
    }
  }
  // A single line longer than the whole budget is cut.
  if (lines.length === 1 && total > maxTokens)
    lines[0] = clip(lines[0]!, Math.max(1, (maxTokens - NOTE_TOKENS) * CHARS_PER_TOKEN - 1));
  if (dropped === 0) return lines.join('\n');
  const range = !Number.isFinite(first) ? 'Earlier turns' : first === last ? `Turn ${first}` : `Turns ${first}–${last}`;
  return [`(${range} omitted to fit the context; the full history is in the session store.)`, ...lines].join('\n');
}

/**
 * Appends one line per turn (request, entities, tool calls with one-line results, answer) to the previous summary,
 * then condenses the whole to `maxTokens`. Pure and deterministic.
 */
export function extractiveSummary(options: {
  previous: string | null;
  turns: readonly NumberedTurn[];
  maxTokens: number;
  display?: (modelToolName: string) => string;
}): string {
  const lines = linesOf(options.previous);
  for (const turn of options.turns)
    lines.push(formatTurnLine(turn.number, digestMessages(turn.messages), options.display));
  return condenseSummary(lines.join('\n'), options.maxTokens);
}
