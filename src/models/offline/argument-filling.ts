/**
 * @module Argument filling for the offline planner: each parameter of a tool gets candidate values from the
 * task's entities, from the records of earlier tool results that the task is about (see `bindings.ts`), from what
 * the task states (a quantity, a carrier, a tracking number), or from text the planner composes out of the task's
 * own words, coerced to the parameter's JSON Schema type.
 */
import { bind, type Bindings, candidatesFor, narrow, qualifierWords } from './bindings.js';
import { composeText, type Knowledge } from './compose-text.js';
import type { Fact } from './facts.js';
import { normalizeKey } from './facts.js';
import { composeFreeText } from './free-text.js';
import { ENTITY_KINDS, type ParameterInfo, type ParameterKind } from './parameters.js';
import { recordsOf, type RecordKind, type ToolRecord } from './records.js';
import { type Clause, shapeOf } from './task-steps.js';
import { carrierIn, fileIn, quantityIn, trackingIn } from './task-values.js';
import type { ToolProfile } from './tool-ranking.js';
import { conceptOf, conceptsOf, isKnownWord, isStopword, splitIdentifier, stem } from './vocabulary.js';

/** Several records fit a parameter and nothing in the task tells them apart. */
export interface Ambiguity {
  readonly parameter: ParameterInfo;
  readonly kind: RecordKind;
  /** The candidate values, in the order the records list them. */
  readonly values: readonly string[];
  /** Words of the task that might tell them apart once more is known about each ("ring"). */
  readonly unmatched: readonly string[];
}

/** Argument sets to try for one tool, and what could not be filled. */
export interface ArgumentPlan {
  /**
   * Argument sets, best first: every parameter's first candidate, then the same with one parameter switched to
   * its next candidate (so a retry after an error tries a different value). Empty when `missing` is not.
   */
  readonly candidates: readonly Record<string, unknown>[];
  /** Parameters (required, or wanted because the task names their kind) for which nothing was found. */
  readonly missing: readonly ParameterInfo[];
  /** A parameter several records fit, when one does. */
  readonly ambiguous?: Ambiguity;
}

const MAX_ALTERNATIVES_PER_PARAMETER = 2;

/** What filling one tool's arguments reads. */
interface FillContext {
  readonly profile: ToolProfile;
  readonly knowledge: Knowledge;
  readonly bindings: Bindings;
  readonly clause: Clause | undefined;
}

/** The record kind behind a parameter kind, for the kinds records hold. */
export function recordKindOf(kind: ParameterKind): RecordKind | undefined {
  switch (kind) {
    case 'orderId':
    case 'customerId':
    case 'customerName':
    case 'email':
    case 'sku':
    case 'issueId':
      return kind;
    default:
      return undefined;
  }
}

/** Which kinds of record the task refers to, so a tool's optional filter for one is worth filling. */
export function referredKinds(knowledge: Knowledge, bindings: Bindings): Set<RecordKind> {
  const { entities } = knowledge;
  const kinds = new Set<RecordKind>();
  const customer =
    entities.customerNames.length + entities.customerIds.length + entities.emails.length + entities.phones.length + entities.nameFragments.length > 0;
  if (customer) for (const kind of ['customerId', 'email', 'customerName'] as const) kinds.add(kind);
  if (entities.orderIds.length > 0) kinds.add('orderId');
  if (entities.skus.length > 0) kinds.add('sku');
  if (entities.issueIds.length > 0) kinds.add('issueId');
  for (const anchor of bindings.anchors) if (anchor.kind !== 'nameFragment' && anchor.kind !== 'phone') kinds.add(anchor.kind);
  return kinds;
}

const SUBJECT_NOUNS: readonly (readonly [string, RecordKind])[] = [
  ['order', 'orderId'],
  ['issue', 'issueId'],
  ['product', 'sku'],
  ['inventory', 'sku'],
  ['customer', 'customerId'],
];

/** What a note or comment is about: the kind of id the clause names, else the noun it uses, else what the task names. */
export function subjectKind(knowledge: Knowledge, clause: Clause | undefined): RecordKind {
  const { entities } = knowledge;
  const reference = clause?.reference ?? knowledge.task;
  const stated: readonly (readonly [RecordKind, readonly string[]])[] = [
    ['orderId', entities.orderIds],
    ['issueId', entities.issueIds],
    ['sku', entities.skus],
    ['customerId', entities.customerIds],
  ];
  for (const [kind, values] of stated) if (values.some((value) => reference.includes(value.replace(/^#/, '')))) return kind;
  const concepts = conceptsOf(reference);
  for (const [concept, kind] of SUBJECT_NOUNS) if (concepts.has(concept)) return kind;
  if (entities.customerNames.length + entities.emails.length + entities.phones.length + entities.nameFragments.length > 0) return 'customerId';
  for (const [kind, values] of stated) if (values.length > 0) return kind;
  return 'orderId';
}

const REFERENCE_FORMAT = /\b([a-z]+):([A-Z][A-Z0-9]*-[A-Z0-9-]+)/g;
const PREFIX_KINDS: Readonly<Record<string, RecordKind>> = { order: 'orderId', customer: 'customerId', issue: 'issueId', product: 'sku' };

/** `order:XYZ-789` when the parameter's description shows references written `kind:ID`, else the bare id. */
function formatReference(parameter: ParameterInfo, kind: RecordKind, value: string): string {
  for (const match of parameter.description.matchAll(REFERENCE_FORMAT)) {
    const prefix = match[1] ?? '';
    if (PREFIX_KINDS[conceptOf(prefix)] === kind) return `${prefix}:${value}`;
  }
  return value;
}

/** Task words that may single out one record: not verbs, not the tool's own words, not the kind's noun. */
function qualifiers(context: FillContext, kind: RecordKind): string[] {
  const exclude = new Set<string>([...context.profile.nameWords, ...context.profile.nameWords.map(stem)]);
  for (const [concept, nounKind] of SUBJECT_NOUNS) if (nounKind === kind) exclude.add(concept);
  for (const word of ['order', 'orders', 'customer', 'one', 'please', 'thanks', 'her', 'his', 'their', 'latest', 'last', 'newest', 'recent', 'oldest', 'first', 'earliest']) exclude.add(word);
  for (const name of [...context.knowledge.entities.customerNames, ...context.knowledge.entities.nameFragments]) {
    for (const word of name.toLowerCase().split(' ')) exclude.add(word);
  }
  const reference = context.clause?.reference ?? context.knowledge.task;
  return qualifierWords(reference, exclude).filter((word) => !isKnownWord(word) || conceptOf(word) === 'product' || conceptOf(word) === 'payment' || conceptOf(word) === 'ship');
}

type Fill = { readonly values: unknown[] } | { readonly ambiguous: Ambiguity };

function recordValues(parameter: ParameterInfo, kind: RecordKind, context: FillContext): Fill {
  const { knowledge, bindings } = context;
  const candidates = candidatesFor(kind, knowledge.entities, bindings);
  if (candidates.stated || candidates.values.length <= 1) return { values: [...candidates.values] };
  const words = qualifiers(context, kind);
  const reference = context.clause?.reference ?? knowledge.task;
  const narrowed = narrow({ kind, values: candidates.values, relevant: bindings.relevant, reference, words });
  if (narrowed.length === 1) return { values: narrowed };
  return { ambiguous: { parameter, kind, values: narrowed, unmatched: words } };
}

/** Search terms, most fitting first: the names, addresses and phone numbers the task gives, then its ids. */
function queryValues(knowledge: Knowledge, profile: ToolProfile): unknown[] {
  const { entities } = knowledge;
  const about = new Set(profile.nameWords.map(conceptOf));
  const groups: (readonly string[])[] = [];
  if (about.has('order')) groups.push(entities.orderIds);
  if (about.has('issue')) groups.push(entities.issueIds);
  if (about.has('product') || about.has('inventory')) groups.push(entities.skus);
  groups.push(entities.customerNames, entities.emails, entities.phones, entities.nameFragments, entities.customerIds, entities.orderIds, entities.skus, entities.issueIds);
  return [...new Set(groups.flat())];
}

function stated(parameter: ParameterInfo, context: FillContext): unknown[] {
  const { entities } = context.knowledge;
  const text = context.clause ? `${context.clause.reference} ${context.clause.message ?? ''}` : context.knowledge.task;
  const single = (value: unknown) => (value === undefined ? [] : [value]);
  switch (parameter.kind) {
    case 'branch':
      return [...entities.branches];
    case 'environment':
      return [...entities.environments];
    case 'amount':
      return [...entities.amounts];
    case 'date':
      return [...entities.dates];
    case 'quantity':
      return single(quantityIn(text, parameter));
    case 'carrier':
      return single(carrierIn(context.knowledge.task, parameter));
    case 'tracking':
      return single(trackingIn(context.knowledge.task));
    case 'file':
      return single(fileIn(context.knowledge.task));
    case 'query':
      return queryValues(context.knowledge, context.profile);
    default:
      return [];
  }
}

function factValues(parameter: ParameterInfo, facts: readonly Fact[]): unknown[] {
  const name = normalizeKey(parameter.name);
  return facts.filter((fact) => normalizeKey(fact.key) === name).map((fact) => fact.value);
}

/** Converts a candidate to the parameter's schema type; `undefined` when it does not fit. */
function coerce(value: unknown, parameter: ParameterInfo): unknown {
  switch (parameter.type) {
    case 'number':
    case 'integer': {
      const number =
        typeof value === 'number'
          ? value
          : Number(
              String(value)
                .replace(/^[#$€£]/, '')
                .replaceAll(',', ''),
            );
      if (!Number.isFinite(number) || (parameter.type === 'integer' && !Number.isInteger(number))) return undefined;
      return number;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : undefined;
    case 'array':
      return [value];
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    default:
      return value;
  }
}

/** Restricts candidates to an `enum`, matching loosely (`prod` ↔ `production`); enum values named in the task count too. */
function fitEnum(values: readonly unknown[], allowed: readonly unknown[], task: string): unknown[] {
  const lower = (value: unknown) => String(value).toLowerCase();
  const fitted: unknown[] = [];
  for (const value of values) {
    const match = allowed.find(
      (option) =>
        lower(option) === lower(value) ||
        lower(option).startsWith(lower(value)) ||
        lower(value).startsWith(lower(option)),
    );
    if (match !== undefined) fitted.push(match);
  }
  // An enum value the task uses as a state ("open issues", "the paid one", "orders that are shipped"), not as a
  // verb ("which orders has she placed?").
  for (const sentence of task.toLowerCase().split(/[\n.?!;]+/)) {
    const words = sentence.split(/[^a-z0-9_-]+/).filter((word) => word !== '');
    for (const option of allowed) {
      words.forEach((word, index) => {
        if (word !== lower(option)) return;
        const next = words[index + 1];
        const previous = words[index - 1] ?? '';
        if ((next !== undefined && !isStopword(next)) || STATE_MARKERS.has(previous)) fitted.push(option);
      });
    }
  }
  return [...new Set(fitted)];
}

const STATE_MARKERS = new Set(['is', 'are', 'status', 'state', 'marked', 'as', 'still']);
const FLAG_FILLER = new Set(['only', 'include', 'is', 'has', 'show', 'with']);

/** Whether a request names an optional flag: at least two of its words (or its one word), compared by stem. */
function flagNamed(parameter: ParameterInfo, text: string): boolean {
  const words = splitIdentifier(parameter.name).filter((word) => !FLAG_FILLER.has(word));
  const said = new Set(text.toLowerCase().split(/[^a-z]+/).map(stem));
  const hits = words.filter((word) => said.has(stem(word))).length;
  return words.length > 0 && hits >= Math.min(2, words.length);
}

/** Candidate values for one parameter, best first, or the records it cannot choose between. */
function fillParameter(parameter: ParameterInfo, context: FillContext, wanted: boolean): Fill {
  const { schema } = parameter;
  const { knowledge } = context;
  const kind = parameter.kind === 'entityId' ? subjectKind(knowledge, context.clause) : recordKindOf(parameter.kind);
  let values: unknown[];
  if (parameter.kind === 'title' || parameter.kind === 'text') {
    const text = composeFreeText(parameter, context.profile, knowledge) ?? (parameter.required ? composeText(parameter, knowledge) : undefined);
    values = text === undefined ? [] : [text];
  } else if (kind !== undefined && (parameter.required || wanted)) {
    const fill = recordValues(parameter, kind, context);
    if ('ambiguous' in fill) return fill;
    values = parameter.kind === 'entityId' ? fill.values.map((value) => formatReference(parameter, kind, String(value))) : fill.values;
  } else if (parameter.required) {
    values = [...stated(parameter, context), ...factValues(parameter, knowledge.facts)];
  } else if (parameter.type === 'boolean') {
    // "Which items are low on stock?" sets `low_stock_only`: the flag's own words are in the request.
    values = flagNamed(parameter, context.clause?.reference ?? knowledge.task) ? [true] : [];
  } else {
    // Optional parameters take only what the user stated ("deploy feature/x to production").
    values = ENTITY_KINDS.has(parameter.kind) || parameter.kind === 'query' ? stated(parameter, context) : [];
  }
  if (Array.isArray(schema.enum)) {
    const reference = context.clause?.reference ?? knowledge.task;
    values = fitEnum(values, schema.enum, reference);
  }
  if (values.length === 0 && parameter.required) {
    if (schema.default !== undefined) values = [schema.default];
    else if (parameter.type === 'boolean') values = [false];
  }
  const coerced = values.map((value) => coerce(value, parameter)).filter((value) => value !== undefined);
  const seen = new Set<string>();
  return {
    values: coerced.filter((value) => {
      const key = JSON.stringify(value);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

/** Fills in what `fillArguments` may leave out of a knowledge built by hand (tests): records, bindings, shape. */
export function completeKnowledge(knowledge: Knowledge): Required<Pick<Knowledge, 'records' | 'bindings' | 'shape'>> & Knowledge {
  const records: readonly ToolRecord[] = knowledge.records ?? recordsFromFacts(knowledge.facts);
  return {
    ...knowledge,
    records,
    bindings: knowledge.bindings ?? bind(knowledge.entities, records),
    shape: knowledge.shape ?? shapeOf(knowledge.task),
  };
}

/** Records rebuilt from facts, one per source, for callers that only kept facts. */
function recordsFromFacts(facts: readonly Fact[]): ToolRecord[] {
  const bySource = new Map<string, Record<string, unknown>>();
  for (const fact of facts) {
    const object = bySource.get(fact.source) ?? {};
    if (!Object.hasOwn(object, fact.key)) object[fact.key] = fact.value;
    bySource.set(fact.source, object);
  }
  return [...bySource].flatMap(([source, object], index) => recordsOf(JSON.stringify(object), source, index));
}

/**
 * Fills a tool's parameters from what the planner knows. Ids come from the task, else from the records the task is
 * about (one value, or the one the task's words single out; several that nothing tells apart make the plan
 * `ambiguous`); values the task states (amounts, quantities, carrier, tracking, files) are read from it; free text
 * is composed from the task's own words; booleans default to `false` and schema defaults are used when nothing else
 * fits. Optional parameters are set when the task states a value for them or names a record of their kind
 * (`wanted`: then they are reported missing until found). Never throws.
 */
export function fillArguments(profile: ToolProfile, knowledge: Knowledge, options: { wantReferred?: boolean } = {}): ArgumentPlan {
  const complete = completeKnowledge(knowledge);
  const context: FillContext = { profile, knowledge: complete, bindings: complete.bindings, clause: complete.clause };
  const referred = options.wantReferred === false ? new Set<RecordKind>() : referredKinds(complete, complete.bindings);
  const values = new Map<string, unknown[]>();
  const missing: ParameterInfo[] = [];
  for (const parameter of profile.parameters) {
    const kind = recordKindOf(parameter.kind);
    const wanted = !parameter.required && kind !== undefined && referred.has(kind);
    const fill = fillParameter(parameter, context, wanted);
    if ('ambiguous' in fill) return { candidates: [], missing: [], ambiguous: fill.ambiguous };
    if (fill.values.length > 0) values.set(parameter.name, fill.values);
    else if (parameter.required || wanted) missing.push(parameter);
  }
  if (missing.length > 0) return { candidates: [], missing };
  // fromEntries defines own properties, so a schema property named `__proto__` cannot reach the prototype.
  const base: Record<string, unknown> = Object.fromEntries(
    [...values].map(([name, candidates]) => [name, candidates[0]]),
  );
  const sets: Record<string, unknown>[] = [base];
  for (const [name, candidates] of values) {
    for (const alternative of candidates.slice(1, 1 + MAX_ALTERNATIVES_PER_PARAMETER)) {
      sets.push({ ...base, [name]: alternative });
    }
  }
  return { candidates: sets, missing };
}
