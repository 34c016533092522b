/**
 * @module Facts the offline planner reads out of earlier tool results: JSON properties (flattened), `key: value`
 * lines, and the entities any text mentions.
 */
import { extractEntities } from './entities.js';
import { splitIdentifier } from './vocabulary.js';

/** One value a tool result stated. */
export interface Fact {
  /** The property name as the tool wrote it (`customer_name`); for values found in prose, the entity kind (`email`). */
  readonly key: string;
  readonly value: string | number | boolean;
  /** Model-facing name of the tool whose result held it. */
  readonly source: string;
}

const MAX_FACTS_PER_RESULT = 200;
const MAX_DEPTH = 6;
const KEY_VALUE_LINE = /^\s*[-*]?\s*([A-Za-z][\w .-]{0,40}?)\s*[:=]\s*(.+?)\s*$/gm;

/** `customerName`, `customer-name` and `Customer name` all become `customer_name`. */
export function normalizeKey(key: string): string {
  return splitIdentifier(key).join('_');
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  for (const candidate of [trimmed, trimmed.slice(trimmed.indexOf('{'), trimmed.lastIndexOf('}') + 1)]) {
    if (!/^[[{]/.test(candidate)) continue;
    try {
      return JSON.parse(candidate);
    } catch {
      // Not JSON after all: fall back to reading the text line by line.
    }
  }
  return undefined;
}

function flatten(value: unknown, key: string, source: string, into: Fact[], depth: number): void {
  if (into.length >= MAX_FACTS_PER_RESULT || depth > MAX_DEPTH) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    if (key !== '') into.push({ key, value, source });
  } else if (Array.isArray(value)) {
    for (const item of value) flatten(item, key, source, into, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [childKey, child] of Object.entries(value)) flatten(child, childKey, source, into, depth + 1);
  }
}

/** Only what a result states outright: its JSON properties (flattened) or its `key: value` lines. */
export function statedFacts(output: string, source: string): Fact[] {
  const facts: Fact[] = [];
  const parsed = parseJson(output);
  if (parsed !== undefined) {
    flatten(parsed, '', source, facts, 0);
  } else {
    for (const match of output.matchAll(KEY_VALUE_LINE)) facts.push({ key: match[1]!, value: match[2]!, source });
  }
  return facts;
}

/**
 * The facts a tool result states, in the order it states them, without duplicates. JSON results are flattened
 * (nested keys keep their own name); other text contributes its `key: value` lines. Entities found anywhere in
 * the text are added under their kind (`email`, `order_id`, `customer_id`, `customer_name`, `sku`, `issue_id`).
 */
export function factsFromOutput(output: string, source: string): Fact[] {
  const facts = statedFacts(output, source);
  const entities = extractEntities(output);
  const found: [string, readonly string[]][] = [
    ['email', entities.emails],
    ['order_id', entities.orderIds],
    ['customer_id', entities.customerIds],
    ['customer_name', entities.customerNames],
    ['sku', entities.skus],
    ['issue_id', entities.issueIds],
  ];
  for (const [key, values] of found) for (const value of values) facts.push({ key, value, source });
  const seen = new Set<string>();
  return facts.filter((fact) => {
    const identity = `${normalizeKey(fact.key)}\u0000${String(fact.value)}`;
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}
