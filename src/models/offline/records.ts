/**
 * @module Records: what the offline planner reads out of tool results. A result is split into the records it lists
 * (the lines of a listing, the objects of a JSON array) or kept whole when it describes one thing, and each record
 * carries the identifiers it mentions by kind, so the planner can tell which record a task means.
 */
import type { CallRecord } from './conversation.js';
import { extractEntities } from './entities.js';
import { classifyParameter, type ParameterKind, toolPart } from './parameters.js';
import { splitIdentifier } from './vocabulary.js';

/** The kinds of value that single out a record. */
export type RecordKind = 'orderId' | 'customerId' | 'customerName' | 'email' | 'phone' | 'sku' | 'issueId';

export const RECORD_KINDS: readonly RecordKind[] = [
  'orderId',
  'customerId',
  'customerName',
  'email',
  'phone',
  'sku',
  'issueId',
];

/** One thing a tool result described. */
export interface ToolRecord {
  /** The record as the tool wrote it (a line, a block, or a JSON object re-encoded). */
  readonly text: string;
  /** Model-facing name of the tool whose result held it. */
  readonly source: string;
  /** Index of the call in the task's calls, oldest first. */
  readonly callIndex: number;
  /** The values the record mentions, by kind, in order of appearance. */
  readonly values: ReadonlyMap<RecordKind, readonly string[]>;
  /** Whether the record is the whole result (one thing described), rather than one item of a listing. */
  readonly whole: boolean;
  /** The string values of the call's input: a whole result is about what it was asked for. */
  readonly input: readonly string[];
}

const MAX_RECORDS_PER_RESULT = 100;
const MAX_DEPTH = 5;

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function add(values: Map<RecordKind, string[]>, kind: RecordKind, value: string): void {
  const list = values.get(kind) ?? [];
  if (!list.includes(value)) list.push(value);
  values.set(kind, list);
}

function textValues(text: string, values: Map<RecordKind, string[]>): void {
  const entities = extractEntities(text);
  for (const value of entities.orderIds) add(values, 'orderId', value);
  for (const value of entities.customerIds) add(values, 'customerId', value);
  for (const value of entities.customerNames) add(values, 'customerName', value);
  for (const value of entities.emails) add(values, 'email', value);
  for (const value of entities.phones) add(values, 'phone', value);
  for (const value of entities.skus) add(values, 'sku', value);
  for (const value of entities.issueIds) add(values, 'issueId', value);
}

const KEYED_KINDS: ReadonlySet<ParameterKind> = new Set(['orderId', 'customerId', 'customerName', 'email', 'sku', 'issueId']);

/**
 * A JSON property's kind from its key (`client_id` → customerId, `purchase_no` → orderId), falling back to the
 * tool's own name for a bare `id`; a value filed by its key wins over its shape, since ids of unusual shapes are
 * only recognisable that way.
 */
function keyedValues(object: Record<string, unknown>, toolWords: readonly string[], values: Map<RecordKind, string[]>, depth: number): void {
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'string' || typeof value === 'number') {
      const words = splitIdentifier(key);
      const kind = words.includes('phone') ? 'phone' : classifyParameter(key, {}, toolWords);
      if (kind === 'phone' || KEYED_KINDS.has(kind)) add(values, kind as RecordKind, String(value));
    } else if (isRecordObject(value) && depth < MAX_DEPTH) {
      keyedValues(value, splitIdentifier(key), values, depth + 1);
    }
  }
}

function recordOf(text: string, source: string, callIndex: number, object?: Record<string, unknown>): ToolRecord {
  const values = new Map<RecordKind, string[]>();
  if (object) keyedValues(object, splitIdentifier(toolPart(source)), values, 0);
  textValues(text, values);
  return { text, source, callIndex, values, whole: false, input: [] };
}

/** The objects a JSON result lists: the items of the first array found (at the top or one level down), else itself. */
function jsonItems(parsed: unknown): Record<string, unknown>[] {
  if (Array.isArray(parsed)) return parsed.filter(isRecordObject);
  if (!isRecordObject(parsed)) return [];
  for (const value of Object.values(parsed)) {
    if (Array.isArray(value) && value.some(isRecordObject)) return value.filter(isRecordObject);
  }
  return [parsed];
}

/** Whether a text result is a Markdown report: it opens with a heading. */
export function isReport(output: string): boolean {
  return /^\s*#{1,6}\s+\S/.test(output);
}

/** Whether records list several things of one kind (two lines each naming an order), rather than describe one. */
function isListing(records: readonly ToolRecord[]): boolean {
  return RECORD_KINDS.some((kind) => records.filter((record) => (record.values.get(kind)?.length ?? 0) > 0).length >= 2);
}

/**
 * Splits one tool result into records. JSON: the objects of its list (or itself). Text: one record per line,
 * indented lines joined to the line above; when at most one line mentions an identifier, the whole text is one
 * record (an order described over several lines).
 */
export function recordsOf(output: string, source: string, callIndex: number, input: readonly string[] = []): ToolRecord[] {
  const parsed = parseJson(output);
  if (parsed !== undefined) {
    const items = jsonItems(parsed).slice(0, MAX_RECORDS_PER_RESULT);
    const whole = items.length === 1 && !Array.isArray(parsed) && items[0] === parsed;
    return items.map((item) => ({ ...recordOf(JSON.stringify(item), source, callIndex, item), whole, input }));
  }
  // A report with headings ("# Troubleshooting report", "## Severity") is one document, whatever its lines name.
  if (isReport(output)) return [{ ...recordOf(output.trim(), source, callIndex), whole: true, input }];
  const blocks: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && blocks.length > 0) blocks[blocks.length - 1] += `\n${line}`;
    else blocks.push(line);
  }
  const records = blocks.slice(0, MAX_RECORDS_PER_RESULT).map((block) => ({ ...recordOf(block, source, callIndex), input }));
  if (!isListing(records)) return [{ ...recordOf(output.trim(), source, callIndex), whole: true, input }];
  return records;
}

/** The records of every successful call of a task, oldest call first. */
export function recordsOfCalls(calls: readonly CallRecord[]): ToolRecord[] {
  return calls.flatMap((record, index) =>
    record.result && !record.result.isError
      ? recordsOf(
          record.result.output,
          record.call.name,
          index,
          Object.values(record.call.input).filter((value): value is string => typeof value === 'string'),
        )
      : [],
  );
}

/** Whether `text` mentions `value` as a whole (so "Lisa Park" is not found in "Lisa Parker"), ignoring case. */
export function mentions(text: string, value: string): boolean {
  if (value === '') return false;
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w@.-])${escaped}(?![\\w@-]|\\.\\w)`, 'i').test(text);
}
