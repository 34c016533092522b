/**
 * @module What a tool's input parameters are for, read from their names and JSON Schema: an order id, an email
 * address, free text to compose, … The offline planner fills each kind from a different source.
 */
import type { JsonSchema, ToolSpec } from '../../contracts/index.js';
import { conceptOf, splitIdentifier } from './vocabulary.js';

/** What a parameter holds, as far as the planner can tell. */
export type ParameterKind =
  | 'email'
  | 'orderId'
  | 'customerId'
  | 'customerName'
  | 'sku'
  | 'issueId'
  | 'branch'
  | 'environment'
  | 'amount'
  /** A whole number of units; `delta`-like names take a sign ("remove 2" → -2). */
  | 'quantity'
  | 'carrier'
  | 'tracking'
  /** A file name or path the task names (`app.log`). */
  | 'file'
  | 'date'
  /** An id of something the schema does not pin down (`entity_id`: "Customer id or order id"). */
  | 'entityId'
  | 'query'
  | 'title'
  | 'text'
  | 'other';

/** One input property of a tool. */
export interface ParameterInfo {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
  readonly kind: ParameterKind;
  /** The JSON Schema `type` (the first one when it is a list). */
  readonly type: string | undefined;
  readonly description: string;
}

/** Kinds whose values are identifiers or values a person can state, rather than text the planner composes. */
export const ENTITY_KINDS: ReadonlySet<ParameterKind> = new Set([
  'email',
  'orderId',
  'customerId',
  'customerName',
  'sku',
  'issueId',
  'branch',
  'environment',
  'amount',
  'quantity',
  'carrier',
  'tracking',
  'file',
  'date',
  'entityId',
]);

const ID_WORDS = new Set(['id', 'ids', 'number', 'no', 'num', 'key', 'ref', 'reference', 'code', 'uuid']);
const TITLE_WORDS = new Set(['title', 'subject', 'headline', 'heading', 'summary']);
const TEXT_WORDS = new Set([
  'details',
  'detail',
  'body',
  'text',
  'content',
  'contents',
  'message',
  'reason',
  'why',
  'description',
  'note',
  'notes',
  'comment',
  'comments',
  'explanation',
  'problem',
  'memo',
  'remark',
  'remarks',
  'html',
  'markdown',
]);
const QUANTITY_WORDS = new Set(['quantity', 'qty', 'units', 'count', 'delta', 'change', 'amount_units']);
const ENTITY_REFERENCE_WORDS = new Set(['entity', 'record', 'target', 'reference']);
const QUERY_WORDS = new Set(['query', 'q', 'search', 'term', 'terms', 'keyword', 'keywords', 'filter', 'text_query']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kind an id-like parameter refers to, from the noun before `id` or, for a bare `id`, the tool's own name. */
function idKind(nouns: readonly string[]): ParameterKind {
  for (const noun of nouns) {
    const concept = conceptOf(noun);
    if (concept === 'order') return 'orderId';
    if (concept === 'customer') return 'customerId';
    if (concept === 'issue') return 'issueId';
    if (concept === 'product' || concept === 'inventory') return 'sku';
  }
  return 'other';
}

/**
 * Classifies one parameter by its name, schema type/format and description; `toolWords` (the words of the
 * tool's name) settle what a bare `id` or `name` refers to.
 */
export function classifyParameter(name: string, schema: JsonSchema, toolWords: readonly string[] = []): ParameterKind {
  const words = splitIdentifier(name);
  const concepts = words.map(conceptOf);
  const description = typeof schema.description === 'string' ? schema.description : '';
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const last = words.at(-1) ?? '';
  if (words.some((word) => TITLE_WORDS.has(word))) return 'title';
  if (words.includes('tracking')) return 'tracking';
  if (words.includes('carrier') || words.includes('courier')) return 'carrier';
  if (words.some((word) => QUANTITY_WORDS.has(word)) && (type === 'integer' || type === 'number')) return 'quantity';
  if (words.some((word) => word === 'file' || word === 'filename' || word === 'path' || word === 'logfile')) return 'file';
  // `entity`, `record`, `target`: what a note or comment is attached to, an id of any kind.
  if (words.length === 1 && ENTITY_REFERENCE_WORDS.has(last)) return 'entityId';
  if (words.some((word) => TEXT_WORDS.has(word)) && !ID_WORDS.has(last)) return 'text';
  if (ID_WORDS.has(last) && words.length > 1 && concepts.includes('email')) return 'other'; // `email_id`: a message, not an address
  if (schema.format === 'email' || concepts.includes('email') || words.includes('recipient')) return 'email';
  if (ID_WORDS.has(last)) {
    const nouns = words.slice(0, -1);
    const kind = idKind(nouns.length > 0 ? nouns : toolWords);
    return kind === 'other' && (last === 'id' || last === 'ids') ? 'entityId' : kind;
  }
  if (words.includes('sku')) return 'sku';
  if (words.includes('name') && (concepts.includes('customer') || words.length === 1 || words.includes('full'))) {
    return words.length === 1 && idKind(toolWords) !== 'customerId' ? 'other' : 'customerName';
  }
  if (words.includes('branch') || (words.length === 1 && (last === 'ref' || last === 'revision'))) return 'branch';
  if (concepts.includes('environment') || (last === 'target' && /staging|production/i.test(JSON.stringify(schema)))) {
    return 'environment';
  }
  if (words.some((word) => word === 'amount' || word === 'total' || word === 'price' || word === 'sum'))
    return 'amount';
  if (words.some((word) => word === 'date' || word === 'since' || word === 'until' || word === 'day')) return 'date';
  if (words.some((word) => QUERY_WORDS.has(word))) return 'query';
  if (type === 'string' && /e-?mail address/i.test(description)) return 'email';
  if (concepts.includes('order') && words.length === 1) return 'orderId';
  if (concepts.includes('customer') && words.length === 1) return 'customerId';
  if (concepts.includes('product') && words.length === 1) return 'sku';
  return 'other';
}

/** The input parameters a tool declares, required ones first, each in schema order. */
export function parametersOf(spec: ToolSpec): ParameterInfo[] {
  const properties = isRecord(spec.inputSchema.properties) ? spec.inputSchema.properties : {};
  const required = new Set(
    Array.isArray(spec.inputSchema.required)
      ? spec.inputSchema.required.filter((name) => typeof name === 'string')
      : [],
  );
  const toolWords = splitIdentifier(toolPart(spec.name));
  const parameters = Object.entries(properties).map(([name, value]): ParameterInfo => {
    const schema = isRecord(value) ? value : {};
    const type = Array.isArray(schema.type)
      ? String(schema.type[0])
      : typeof schema.type === 'string'
        ? schema.type
        : undefined;
    return {
      name,
      schema,
      required: required.has(name),
      kind: classifyParameter(name, schema, toolWords),
      type,
      description: typeof schema.description === 'string' ? schema.description : '',
    };
  });
  return [
    ...parameters.filter((parameter) => parameter.required),
    ...parameters.filter((parameter) => !parameter.required),
  ];
}

/** `crm__getCustomerEmail` → `getCustomerEmail`; names without a server prefix are returned unchanged. */
export function toolPart(modelToolName: string): string {
  const separator = modelToolName.indexOf('__');
  return separator < 0 ? modelToolName : modelToolName.slice(separator + 2);
}

/** `crm__getCustomerEmail` → `crm`; empty when there is no server prefix. */
export function serverPart(modelToolName: string): string {
  const separator = modelToolName.indexOf('__');
  return separator < 0 ? '' : modelToolName.slice(0, separator);
}

/** How people read a tool name: `crm__getCustomerEmail` → `crm.getCustomerEmail`. */
export function displayName(modelToolName: string): string {
  const server = serverPart(modelToolName);
  return server === '' ? modelToolName : `${server}.${toolPart(modelToolName)}`;
}
