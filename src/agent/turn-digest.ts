/**
 * @module Extractive digests of transcript slices: what was asked, which entities came up, which tools were called
 * with what result, and what was answered. Shared by `summarize_state` and the offline compaction summary.
 */
import type { Entities } from '../models/offline/entities.js';
import { extractEntities } from '../models/offline/index.js';
import type { ModelMessage } from '../models/types.js';
import { summarizeOutput } from './summarize.js';

/** The entity kinds worth reporting, with the label people and models read. */
const ENTITY_LABELS: ReadonlyArray<readonly [keyof Omit<Entities, 'messages'>, string]> = [
  ['orderIds', 'orders'],
  ['customerIds', 'customer ids'],
  ['customerNames', 'names'],
  ['emails', 'emails'],
  ['skus', 'SKUs'],
  ['issueIds', 'issues'],
  ['amounts', 'amounts'],
  ['dates', 'dates'],
  ['branches', 'branches'],
  ['environments', 'environments'],
];

/** Values listed per entity kind in one line; the rest are counted. */
const MAX_VALUES_PER_KIND = 4;

/** One tool call of a digest, with its result once one was fed back. */
export interface CallDigest {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The first line of the result; absent while the call has none. */
  readonly result?: string;
  readonly isError?: boolean;
}

/** What a slice of the transcript (usually one turn) amounts to. */
export interface TurnDigest {
  /** The user's message(s), joined. */
  readonly request: string;
  readonly calls: readonly CallDigest[];
  /** The assistant's last text. */
  readonly answer: string;
  /** Entities in everything the slice says: request, tool results and answers. */
  readonly entities: Entities;
}

/** Whitespace collapsed and cut to `max` characters (with `…`). */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The non-empty entity lists, keyed as in {@link Entities} (without spelled-out message text). */
export function entityLists(entities: Entities): Record<string, ReadonlyArray<string | number>> {
  const lists: Record<string, ReadonlyArray<string | number>> = {};
  for (const [key] of ENTITY_LABELS) if (entities[key].length > 0) lists[key] = entities[key];
  return lists;
}

/** `orders XYZ-789; names Lisa Park`, or `''` when nothing was found. */
export function describeEntities(entities: Entities): string {
  const parts: string[] = [];
  for (const [key, label] of ENTITY_LABELS) {
    const values: ReadonlyArray<string | number> = entities[key];
    if (values.length === 0) continue;
    const shown = values.slice(0, MAX_VALUES_PER_KIND).join(', ');
    const more = values.length > MAX_VALUES_PER_KIND ? ` (+${values.length - MAX_VALUES_PER_KIND} more)` : '';
    parts.push(`${label} ${shown}${more}`);
  }
  return parts.join('; ');
}

/** `server__tool` → `server.tool`: how people read a model-facing tool name when nothing better is known. */
export function defaultDisplayName(modelToolName: string): string {
  const split = modelToolName.indexOf('__');
  return split > 0 ? `${modelToolName.slice(0, split)}.${modelToolName.slice(split + 2)}` : modelToolName;
}

/** Digests a slice of the transcript. Pure; never throws. */
export function digestMessages(messages: readonly ModelMessage[]): TurnDigest {
  const requests: string[] = [];
  const texts: string[] = [];
  const calls: Array<{ name: string; args: Readonly<Record<string, unknown>>; id: string }> = [];
  const results = new Map<string, { output: string; isError: boolean }>();
  let answer = '';
  for (const message of messages) {
    if (message.role === 'user') {
      requests.push(message.content);
      texts.push(message.content);
    } else if (message.role === 'assistant') {
      if (message.text.trim() !== '') {
        answer = message.text;
        texts.push(message.text);
      }
      for (const call of message.toolCalls) calls.push({ name: call.name, args: call.input, id: call.id });
    } else if (message.role === 'tool') {
      for (const result of message.results) {
        results.set(result.toolCallId, { output: result.output, isError: result.isError });
        if (!result.isError) texts.push(result.output);
      }
    }
  }
  return {
    request: requests.join('\n'),
    calls: calls.map(({ name, args, id }) => {
      const result = results.get(id);
      return result ? { name, args, result: summarizeOutput(result.output), isError: result.isError } : { name, args };
    }),
    answer,
    entities: extractEntities(texts.join('\n')),
  };
}

/** `customer_id=C-1001, limit=5`, cut to `max` characters. */
export function formatArgs(args: Readonly<Record<string, unknown>>, max = 80): string {
  const parts = Object.entries(args).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return clip(parts.join(', '), max);
}

/** `crm.get_customer(customer_id=C-1001) → Lisa Park, gold tier`, or `… ✗ error text` for a failed call. */
export function formatCall(call: CallDigest, display: (modelToolName: string) => string = defaultDisplayName): string {
  const head = `${display(call.name)}(${formatArgs(call.args)})`;
  if (call.result === undefined) return `${head} (no result yet)`;
  return `${head} ${call.isError ? '✗' : '→'} ${clip(call.result, 100)}`;
}

/**
 * One line for the investigation summary: `Turn 3: asked "…" | found orders XYZ-789 | called … | answered "…"`.
 * The segments are separated by ` | ` so a long summary can later be condensed by dropping the trailing ones.
 */
export function formatTurnLine(turn: number, digest: TurnDigest, display?: (modelToolName: string) => string): string {
  const segments: string[] = [];
  if (digest.request.trim() !== '') segments.push(`asked "${clip(digest.request, 200)}"`);
  const found = describeEntities(digest.entities);
  if (found !== '') segments.push(`found ${found}`);
  if (digest.calls.length > 0)
    segments.push(`called ${digest.calls.map((call) => formatCall(call, display)).join('; ')}`);
  if (digest.answer.trim() !== '') segments.push(`answered "${clip(digest.answer, 160)}"`);
  return `Turn ${turn}: ${segments.join(' | ') || '(nothing said)'}`;
}
