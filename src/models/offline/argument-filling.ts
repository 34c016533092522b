/**
 * @module Argument filling for the offline planner: each parameter of a tool gets candidate values from the
 * task's entities, from facts earlier tool results stated (matched by property name and kind), or from text the
 * planner composes, coerced to the parameter's JSON Schema type.
 */
import { composeText, type Knowledge } from './compose-text.js';
import type { Fact } from './facts.js';
import { normalizeKey } from './facts.js';
import { classifyParameter, ENTITY_KINDS, type ParameterInfo, type ParameterKind, toolPart } from './parameters.js';
import type { ToolProfile } from './tool-ranking.js';
import { conceptOf, conceptsOf, splitIdentifier } from './vocabulary.js';

/** Argument sets to try for one tool, and what could not be filled. */
export interface ArgumentPlan {
  /**
   * Argument sets, best first: every parameter's first candidate, then the same with one parameter switched to
   * its next candidate (so a retry after an error tries a different value). Empty when `missing` is not.
   */
  readonly candidates: readonly Record<string, unknown>[];
  /** Required parameters for which nothing was found. */
  readonly missing: readonly ParameterInfo[];
}

const MAX_ALTERNATIVES_PER_PARAMETER = 2;
const EMAIL_ONLY = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/** What filling one tool's arguments reads. */
interface FillContext {
  readonly profile: ToolProfile;
  readonly knowledge: Knowledge;
}

function taskValues(parameter: ParameterInfo, { profile, knowledge }: FillContext): unknown[] {
  const { entities } = knowledge;
  switch (parameter.kind) {
    case 'email':
      return [...entities.emails];
    case 'orderId':
      return [...entities.orderIds];
    case 'customerId':
      return [...entities.customerIds];
    case 'customerName':
      return [...entities.customerNames];
    case 'sku':
      return [...entities.skus];
    case 'issueId':
      return entities.issueIds.map((id) => id.replace(/^#/, ''));
    case 'branch':
      return [...entities.branches];
    case 'environment':
      return [...entities.environments];
    case 'amount':
      return [...entities.amounts];
    case 'date':
      return [...entities.dates];
    case 'entityId':
      return entityIds(knowledge, parameter.description);
    case 'query':
      return queryValues(knowledge, profile);
    default:
      return [];
  }
}

/** Ids of any kind the task names, those of the kinds the parameter's description mentions first. */
function entityIds(knowledge: Knowledge, description: string): unknown[] {
  const { entities } = knowledge;
  const mentioned = conceptsOf(description);
  const groups: [string, readonly string[]][] = [
    ['order', entities.orderIds],
    ['customer', entities.customerIds],
    ['issue', entities.issueIds],
    ['product', entities.skus],
  ];
  const preferred = groups.filter(([concept]) => mentioned.has(concept)).flatMap(([, ids]) => ids);
  return [...new Set([...preferred, ...groups.flatMap(([, ids]) => ids)])];
}

/** Search terms, most fitting first: a customer search wants a name or email, an order search an order id. */
function queryValues(knowledge: Knowledge, profile: ToolProfile): unknown[] {
  const { entities } = knowledge;
  const about = new Set(profile.nameWords.map(conceptOf));
  const groups: (readonly string[])[] = [];
  if (about.has('order')) groups.push(entities.orderIds);
  if (about.has('issue')) groups.push(entities.issueIds);
  if (about.has('product') || about.has('inventory')) groups.push(entities.skus);
  groups.push(
    entities.customerNames,
    entities.emails,
    entities.customerIds,
    entities.orderIds,
    entities.skus,
    entities.issueIds,
  );
  return [...new Set(groups.flat())];
}

function factKind(fact: Fact): ParameterKind {
  return classifyParameter(fact.key, {}, splitIdentifier(toolPart(fact.source)));
}

function factValues(parameter: ParameterInfo, facts: readonly Fact[]): unknown[] {
  const name = normalizeKey(parameter.name);
  const matches = (fact: Fact) =>
    normalizeKey(fact.key) === name ||
    (ENTITY_KINDS.has(parameter.kind) &&
      (factKind(fact) === parameter.kind || (parameter.kind === 'email' && EMAIL_ONLY.test(String(fact.value)))));
  const matching = facts.filter(matches);
  if (!ENTITY_KINDS.has(parameter.kind)) return matching.map((fact) => fact.value);
  // An identifier is only taken from a result that names exactly one: a listing of many orders says nothing
  // about which one the user meant, and picking the first would act on the wrong customer.
  const valuesBySource = new Map<string, Set<string>>();
  for (const fact of matching) {
    const values = valuesBySource.get(fact.source) ?? new Set<string>();
    values.add(String(fact.value));
    valuesBySource.set(fact.source, values);
  }
  return matching.filter((fact) => valuesBySource.get(fact.source)?.size === 1).map((fact) => fact.value);
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
  const words = new Set(task.toLowerCase().split(/[^a-z0-9_-]+/));
  for (const option of allowed) if (words.has(lower(option))) fitted.push(option);
  return [...new Set(fitted)];
}

/** Candidate values for one parameter, best first, without duplicates; empty when nothing fits. */
function candidateValues(parameter: ParameterInfo, context: FillContext): unknown[] {
  const { schema } = parameter;
  const { knowledge } = context;
  let values: unknown[];
  if (parameter.kind === 'title' || parameter.kind === 'text') {
    values = parameter.required ? [composeText(parameter, knowledge)] : [];
  } else if (parameter.required) {
    values = [...taskValues(parameter, context), ...factValues(parameter, knowledge.facts)];
  } else {
    // Optional parameters take only what the user stated ("deploy feature/x to production").
    values = ENTITY_KINDS.has(parameter.kind) ? taskValues(parameter, context) : [];
  }
  if (Array.isArray(schema.enum)) values = fitEnum(values, schema.enum, knowledge.task);
  if (values.length === 0 && parameter.required) {
    if (schema.default !== undefined) values = [schema.default];
    else if (parameter.type === 'boolean') values = [false];
  }
  const coerced = values.map((value) => coerce(value, parameter)).filter((value) => value !== undefined);
  const seen = new Set<string>();
  return coerced.filter((value) => {
    const key = JSON.stringify(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Fills a tool's parameters from what the planner knows. Required parameters come from the task's entities first,
 * then from earlier results (a property with the same name, then one of the same kind, e.g. any `email`); free text
 * is composed; booleans default to `false` and schema defaults are used when nothing else fits. Optional
 * parameters are set only when the task states a value for them. Never throws.
 */
export function fillArguments(profile: ToolProfile, knowledge: Knowledge): ArgumentPlan {
  const values = new Map<string, unknown[]>();
  const missing: ParameterInfo[] = [];
  for (const parameter of profile.parameters) {
    const candidates = candidateValues(parameter, { profile, knowledge });
    if (candidates.length > 0) values.set(parameter.name, candidates);
    else if (parameter.required) missing.push(parameter);
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
