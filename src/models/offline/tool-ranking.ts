/**
 * @module Tool ranking for the offline planner: how well a tool's name, description and parameters match the
 * concepts of a task, weighted so that words every tool shares ("customer", "order") count for less.
 */
import type { ToolSpec } from '../../contracts/index.js';
import type { Entities } from './entities.js';
import { verbConcept } from './intent.js';
import {
  ENTITY_KINDS,
  type ParameterInfo,
  type ParameterKind,
  parametersOf,
  serverPart,
  toolPart,
} from './parameters.js';
import { conceptOf, conceptsOf, conceptsOfIdentifier, splitIdentifier } from './vocabulary.js';

/** Verb concepts that only read. A tool named with one of them is read-only unless its annotations say otherwise. */
export const READ_VERBS: ReadonlySet<string> = new Set([
  'get',
  'search',
  'list',
  'count',
  'status',
  'health',
  'history',
]);

/** A tool as the planner sees it: its words reduced to concepts. */
export interface ToolProfile {
  readonly spec: ToolSpec;
  /** Lower-case words of the tool part of the name: `send shipping confirmation`. */
  readonly nameWords: readonly string[];
  /** The concept of the first word of the name (`send`, `get`, `create`). */
  readonly verb: string;
  readonly nameConcepts: ReadonlySet<string>;
  readonly serverConcepts: ReadonlySet<string>;
  readonly descriptionConcepts: ReadonlySet<string>;
  readonly schemaConcepts: ReadonlySet<string>;
  readonly parameters: readonly ParameterInfo[];
  readonly readOnly: boolean;
}

/** A tool with its score against one task. */
export interface RankedTool {
  readonly profile: ToolProfile;
  readonly score: number;
  /** Task concepts found in the tool or server name. */
  readonly nameMatches: number;
  /** Task concepts found only in the description. */
  readonly descriptionMatches: number;
  /** Whether the task asks for the very action the tool's name starts with. */
  readonly verbMatch: boolean;
}

/**
 * Whether a tool only reads: its `readOnlyHint` when the server set one, else whether its name starts with a
 * read verb (get, list, search, find, lookup, …).
 */
export function isReadOnlyTool(spec: ToolSpec): boolean {
  const hint = spec.annotations?.readOnlyHint;
  if (hint !== undefined) return hint;
  const first = splitIdentifier(toolPart(spec.name))[0];
  return first !== undefined && READ_VERBS.has(conceptOf(first));
}

/** Profiles by spec: a host lists its tools once and offers the same objects every step, so each is read once. */
const profiles = new WeakMap<ToolSpec, ToolProfile>();

/** Reduces a tool to the concepts the planner matches on (computed once per spec object). */
export function profileTool(spec: ToolSpec): ToolProfile {
  const known = profiles.get(spec);
  if (known) return known;
  const profile = buildProfile(spec);
  profiles.set(spec, profile);
  return profile;
}

function buildProfile(spec: ToolSpec): ToolProfile {
  const nameWords = splitIdentifier(toolPart(spec.name));
  const parameters = parametersOf(spec);
  const schemaText = parameters.map(
    (parameter) => `${splitIdentifier(parameter.name).join(' ')} ${parameter.description}`,
  );
  return {
    spec,
    nameWords,
    verb: nameWords[0] === undefined ? '' : verbConcept(nameWords[0]),
    nameConcepts: new Set(conceptsOfIdentifier(toolPart(spec.name))),
    serverConcepts: new Set(conceptsOfIdentifier(serverPart(spec.name))),
    descriptionConcepts: conceptsOf(spec.description),
    schemaConcepts: conceptsOf(schemaText.join(' ')),
    parameters,
    readOnly: isReadOnlyTool(spec),
  };
}

/** Which parameter kinds the task's own entities can fill. */
export function entityKindsOf(entities: Entities): Set<ParameterKind> {
  const kinds = new Set<ParameterKind>();
  const pairs: [ParameterKind, readonly unknown[]][] = [
    ['email', entities.emails],
    ['orderId', entities.orderIds],
    ['customerId', entities.customerIds],
    ['customerName', entities.customerNames],
    ['sku', entities.skus],
    ['issueId', entities.issueIds],
    ['branch', entities.branches],
    ['environment', entities.environments],
    ['amount', entities.amounts],
    ['date', entities.dates],
  ];
  for (const [kind, values] of pairs) if (values.length > 0) kinds.add(kind);
  return kinds;
}

const NAME_WEIGHT = 3;
const SERVER_WEIGHT = 2;
const DESCRIPTION_WEIGHT = 1;
const SCHEMA_WEIGHT = 0.5;
const VERB_BONUS = 4;
const ENTITY_BONUS = 1.5;

const frequencyCache = new WeakMap<readonly ToolProfile[], Map<string, number>>();

/** In how many tools each concept appears (cached per catalog array: the planner reuses one per catalog). */
function frequencies(profiles: readonly ToolProfile[]): Map<string, number> {
  const cached = frequencyCache.get(profiles);
  if (cached) return cached;
  const documentFrequency = new Map<string, number>();
  for (const profile of profiles) {
    const all = new Set([
      ...profile.nameConcepts,
      ...profile.serverConcepts,
      ...profile.descriptionConcepts,
      ...profile.schemaConcepts,
    ]);
    for (const concept of all) documentFrequency.set(concept, (documentFrequency.get(concept) ?? 0) + 1);
  }
  frequencyCache.set(profiles, documentFrequency);
  return documentFrequency;
}

/**
 * Scores every tool against a task's concepts and requested verbs, best first (ties keep catalog order).
 * A concept counts most in the tool name, then the server name, the description, and the parameters; each is
 * weighted by how rare it is across the catalog. Tools also gain for a verb the task asks for and for each
 * required parameter the task's entities can fill.
 */
export function rankTools(options: {
  profiles: readonly ToolProfile[];
  concepts: ReadonlySet<string>;
  verbs: ReadonlySet<string>;
  entityKinds: ReadonlySet<ParameterKind>;
}): RankedTool[] {
  const { profiles, concepts, verbs, entityKinds } = options;
  const documentFrequency = frequencies(profiles);
  const ranked = profiles.map((profile, index) => {
    let score = 0;
    let nameMatches = 0;
    let descriptionMatches = 0;
    for (const concept of concepts) {
      const frequency = documentFrequency.get(concept) ?? 0;
      if (frequency === 0) continue;
      const weight = 1 + Math.log(profiles.length / frequency);
      if (profile.nameConcepts.has(concept)) {
        score += NAME_WEIGHT * weight;
        nameMatches++;
      } else if (profile.serverConcepts.has(concept)) {
        score += SERVER_WEIGHT * weight;
        nameMatches++;
      } else if (profile.descriptionConcepts.has(concept)) {
        score += DESCRIPTION_WEIGHT * weight;
        descriptionMatches++;
      } else if (profile.schemaConcepts.has(concept)) {
        score += SCHEMA_WEIGHT * weight;
      }
    }
    const verbMatch = verbs.has(profile.verb);
    if (verbMatch) score += VERB_BONUS;
    for (const parameter of profile.parameters) {
      if (parameter.required && ENTITY_KINDS.has(parameter.kind) && entityKinds.has(parameter.kind))
        score += ENTITY_BONUS;
    }
    return { ranked: { profile, score, nameMatches, descriptionMatches, verbMatch }, index };
  });
  ranked.sort((left, right) => right.ranked.score - left.ranked.score || left.index - right.index);
  return ranked.map((entry) => entry.ranked);
}

/** Whether a ranked tool matches the task at all: a concept in its name, or two in its description. */
export function isRelevant(tool: RankedTool): boolean {
  return tool.nameMatches >= 1 || tool.descriptionMatches >= 2;
}
