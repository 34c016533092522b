/**
 * @module The goals of a task: for each clause that asks for an action, the tool that performs it (a tool whose
 * name carries the verb, best match on what the clause is about); for a task that only asks, the read tool that
 * answers it. The rest of the plan (which lookups to make first) is worked out backwards from these.
 */
import type { Entities } from './entities.js';
import { ENTITY_KINDS, type ParameterKind } from './parameters.js';
import type { Clause, TaskShape } from './task-steps.js';
import { ACTION_CONCEPTS } from './intent.js';
import { isRelevant, type RankedTool, rankTools, READ_VERBS, type ToolProfile } from './tool-ranking.js';
import { conceptOf, conceptsOf, stem, tokenize } from './vocabulary.js';

/** One thing the task asks for: an action done through `profile`, or a question it answers. */
export interface Goal {
  readonly profile: ToolProfile;
  readonly mode: 'action' | 'question';
  /** The clause asking for it (the whole task for a question). */
  readonly clause: Clause | undefined;
}

/** The goals of a task, or the clause no connected tool can do. */
export type GoalPlan =
  | { readonly type: 'goals'; readonly goals: readonly Goal[] }
  | { readonly type: 'unsupported'; readonly clause: Clause | undefined };

/** The concept each entity kind stands for, so "Lisa Park" makes a task about a customer. */
export const ENTITY_CONCEPTS: Partial<Record<ParameterKind, string>> = {
  email: 'email',
  orderId: 'order',
  customerId: 'customer',
  customerName: 'customer',
  sku: 'product',
  issueId: 'issue',
  branch: 'branch',
  environment: 'environment',
};

/** Verbs close enough that a tool named with one can do what the other asks ("add 5 units" → adjust the stock). */
const COMPATIBLE_VERBS: Readonly<Record<string, readonly string[]>> = { create: ['update'], update: ['create'] };
const LIST_VERBS = new Set(['list', 'search']);
/**
 * What a read tool's score is multiplied by for each required value the task neither gives nor can look up. A
 * factor, not a fixed penalty: scores grow with the catalog (rarer concepts weigh more), and a fixed amount that
 * once kept `getCustomerEmail(order_id)` below `search_customers` for "who is the customer with email …?" stopped
 * doing so when six more tools joined the catalog.
 */
const REQUIRED_UNKNOWN_FACTOR = 0.6;
const LIST_BONUS = 2.5;

function conceptsWithEntities(text: string, entityKinds: ReadonlySet<ParameterKind>): Set<string> {
  const concepts = conceptsOf(text);
  for (const kind of entityKinds) {
    const concept = ENTITY_CONCEPTS[kind];
    if (concept) concepts.add(concept);
  }
  return concepts;
}

/** Whether a tool's name carries one of the verbs: as its first word, or anywhere (`mark_shipped` ships). */
function carriesVerb(profile: ToolProfile, verbs: ReadonlySet<string>): boolean {
  return verbs.has(profile.verb) || [...verbs].some((verb) => profile.nameConcepts.has(verb));
}

/** Task concepts in a tool's name other than its verb: `shipping`, `confirmation` of `sendShippingConfirmation`. */
function objectMatches(profile: ToolProfile, concepts: ReadonlySet<string>): number {
  const named = new Set([...profile.nameConcepts, ...profile.serverConcepts]);
  named.delete(profile.verb);
  return [...named].filter((concept) => concepts.has(concept)).length;
}

/**
 * How well a tool's name fits what the clause is about: the concepts it names that the task says, less those it
 * names that the task does not (a generic `send_email` over `sendShippingConfirmation` for "email her that …").
 */
function fit(profile: ToolProfile, concepts: ReadonlySet<string>): number {
  const named = new Set(profile.nameConcepts);
  named.delete(profile.verb);
  const unmatched = [...named].filter((concept) => !concepts.has(concept)).length;
  return 2 * objectMatches(profile, concepts) - unmatched;
}

function actionGoal(options: {
  clause: Clause;
  statements: readonly string[];
  profiles: readonly ToolProfile[];
  entityKinds: ReadonlySet<ParameterKind>;
}): ToolProfile | undefined {
  const { clause, statements, profiles, entityKinds } = options;
  // What the task states ("XYZ-792 went out today") tells which action it means as much as the clause itself.
  // So does what its message says has happened ("notify the customer that it shipped"; not "it ships Monday").
  const happened = (clause.message ?? '').split(/\s+/).filter((word) => /ed$|^wentout$/i.test(word)).join(' ');
  const concepts = conceptsWithEntities([clause.reference, happened, ...statements].join(' '), entityKinds);
  const ranked = rankTools({ profiles, concepts, verbs: clause.verbs, entityKinds });
  const actions = ranked.filter((tool) => !tool.profile.readOnly);
  // "Mark PO-5003 as dispatched": the state it is marked as is what a tool may be named for (`dispatch_purchase`).
  const verbs = new Set(clause.verbs);
  const state = /\bas\s+([a-z]+ed)\b/i.exec(clause.reference)?.[1];
  if (state && verbs.has('update')) verbs.add(conceptOf(state));
  const named = actions.filter((tool) => carriesVerb(tool.profile, verbs));
  // Among the tools that do it, the one about what the clause names ("a shipping confirmation" over any email).
  const best = [...named].sort((left, right) => fit(right.profile, concepts) - fit(left.profile, concepts) || right.score - left.score)[0];
  if (best && objectMatches(best.profile, concepts) > 0) return best.profile;
  // "Add 5 units to stock": no creating tool is about stock, but one that adjusts it is.
  const compatible = new Set([...clause.verbs].flatMap((verb) => COMPATIBLE_VERBS[verb] ?? []));
  const alternative = actions.find((tool) => compatible.has(tool.profile.verb) && objectMatches(tool.profile, concepts) >= 1 && isRelevant(tool));
  return alternative?.profile ?? best?.profile;
}

/** The read-only tool named with a verb of the clause (`troubleshoot_issue` for "troubleshoot it"), if one is. */
function readerGoal(options: { clause: Clause; profiles: readonly ToolProfile[]; entityKinds: ReadonlySet<ParameterKind> }): ToolProfile | undefined {
  const { clause, profiles, entityKinds } = options;
  const ranked = rankTools({ profiles, concepts: conceptsWithEntities(clause.text, entityKinds), verbs: clause.verbs, entityKinds });
  return ranked.find((tool) => tool.profile.readOnly && carriesVerb(tool.profile, clause.verbs))?.profile;
}

/**
 * Whether a tool's name names something the task is about besides its verb: `get_issue` reads issues, and a tool
 * named by a noun alone (`tickets`, `remarks`) reads what the noun says.
 */
function readsAbout(profile: ToolProfile, concepts: ReadonlySet<string>): boolean {
  const named = new Set([...profile.nameConcepts, ...profile.serverConcepts]);
  if (READ_VERBS.has(profile.verb) || ACTION_CONCEPTS.has(profile.verb)) named.delete(profile.verb);
  return [...named].some((concept) => concepts.has(concept));
}

/** Whether a question can supply a required parameter of this kind: free text always, an id when it names one. */
function answerable(kind: ParameterKind, entityKinds: ReadonlySet<ParameterKind>): boolean {
  if (kind === 'title' || kind === 'text') return true;
  if (kind === 'entityId' || kind === 'query') return entityKinds.size > 0;
  return ENTITY_KINDS.has(kind) ? entityKinds.has(kind) : false;
}

function pluralNames(task: string): Set<string> {
  return new Set(tokenize(task).filter((word) => word.length > 3 && /s$/.test(word)).map((word) => stem(word)));
}

function questionGoal(options: {
  task: string;
  profiles: readonly ToolProfile[];
  entities: Entities;
  entityKinds: ReadonlySet<ParameterKind>;
}): ToolProfile | undefined {
  const { task, profiles, entityKinds } = options;
  // What the question asks about is in its words ("which orders …"); the names it gives ("… has Lisa Park placed")
  // are filters, and count only when the words match no tool ("tell me about Lisa Park").
  // A read tool answers only a question about what it reads: "show me the deployment history" matches `get_issue`
  // on its verb alone, which makes it no answer.
  const answers = (tool: RankedTool, concepts: ReadonlySet<string>) =>
    tool.profile.readOnly && isRelevant(tool) && (readsAbout(tool.profile, concepts) || tool.descriptionMatches >= 2);
  let concepts = conceptsOf(task);
  let ranked = rankTools({ profiles, concepts, verbs: new Set(), entityKinds });
  if (!ranked.some((tool) => answers(tool, concepts))) {
    concepts = conceptsWithEntities(task, entityKinds);
    ranked = rankTools({ profiles, concepts, verbs: new Set(), entityKinds });
  }
  const plurals = pluralNames(task);
  const adjusted = ranked
    .filter((tool) => answers(tool, concepts))
    .map((tool: RankedTool, index) => {
      let score = tool.score;
      // A tool that needs a value the task does not give (nor anything to look it up by) answers only after a
      // detour, so it counts for less than one that answers from what the task says.
      for (const parameter of tool.profile.parameters) {
        if (parameter.required && !answerable(parameter.kind, entityKinds)) score *= REQUIRED_UNKNOWN_FACTOR;
      }
      // "Which orders has Lisa Park placed?": a plural of what a listing tool is named after.
      if (LIST_VERBS.has(tool.profile.verb)) {
        if (tool.profile.nameWords.some((word) => plurals.has(stem(word)))) score += LIST_BONUS;
        // "Which items are low on stock?": what `list_inventory` lists ("inventory items") is in its description.
        else if (tool.profile.verb === 'list' && [...plurals].some((word) => tool.profile.descriptionConcepts.has(conceptOf(word)))) score += LIST_BONUS;
      }
      return { profile: tool.profile, score, index };
    });
  adjusted.sort((left, right) => right.score - left.score || left.index - right.index);
  return adjusted[0]?.profile;
}

/**
 * The task's goals in order: one per action clause, or one read tool when the task only asks something. A clause
 * that asks for an action no connected tool performs makes the whole task unsupported, so nothing is half done.
 */
export function goalsOf(options: {
  task: string;
  shape: TaskShape;
  profiles: readonly ToolProfile[];
  entities: Entities;
  entityKinds: ReadonlySet<ParameterKind>;
}): GoalPlan {
  const { shape, profiles, entityKinds } = options;
  if (shape.actions.length === 0) {
    const profile = questionGoal(options);
    return profile ? { type: 'goals', goals: [{ profile, mode: 'question', clause: undefined }] } : { type: 'unsupported', clause: undefined };
  }
  const goals: Goal[] = [];
  for (const clause of shape.actions) {
    const profile = actionGoal({ clause, statements: shape.statements, profiles, entityKinds });
    if (profile) {
      goals.push({ profile, mode: 'action', clause });
      continue;
    }
    // "Troubleshoot it, the log is app.log": the verb asks for work a read-only tool does, so it is answered.
    const reader = readerGoal({ clause, profiles, entityKinds });
    if (!reader) return { type: 'unsupported', clause };
    goals.push({ profile: reader, mode: 'question', clause });
  }
  return { type: 'goals', goals };
}
