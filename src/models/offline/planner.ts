/**
 * @module The offline planner's decision for one step. It keeps no state: every step it re-reads the task and
 * the calls made so far, picks the goal tool, and works backwards to the next call (or the final answer).
 */
import type { ModelRequest, ToolCall } from '../types.js';
import {
  actionPhrase,
  actionSummary,
  clarifyingQuestion,
  errorAnswer,
  outOfScopeAnswer,
  questionAnswer,
} from './answers.js';
import { fillArguments } from './argument-filling.js';
import type { Knowledge } from './compose-text.js';
import { type CallRecord, readConversation } from './conversation.js';
import { extractEntities, isEmpty } from './entities.js';
import { type Fact, factsFromOutput } from './facts.js';
import { isQuestion, requestedActions } from './intent.js';
import { displayName, ENTITY_KINDS, type ParameterInfo, type ParameterKind } from './parameters.js';
import {
  entityKindsOf,
  isRelevant,
  profileTool,
  type RankedTool,
  rankTools,
  type ToolProfile,
} from './tool-ranking.js';
import { conceptOf, conceptsOf, splitIdentifier } from './vocabulary.js';

/** What the planner says for one step: text, and tool calls when it is not done yet. */
export interface PlannerDecision {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
}

/** The tool the task is about and whether it asks to act or to be told something. */
interface Goal {
  readonly profile: ToolProfile;
  readonly mode: 'action' | 'question';
}

type Resolution =
  | {
      readonly type: 'call';
      readonly profile: ToolProfile;
      readonly input: Record<string, unknown>;
      readonly purpose: string;
    }
  | { readonly type: 'missing'; readonly parameter: ParameterInfo; readonly goalParameter: ParameterInfo }
  | { readonly type: 'exhausted' };

/** How many read tools deep the planner chains to find a missing value. */
const MAX_CHAIN_DEPTH = 3;
/** Failed calls tolerated per task before the planner explains instead of retrying. */
const MAX_ERRORS = 2;
/** Calls per task after which the planner stops and reports, whatever the step limit. */
const MAX_CALLS = 8;

/** Tool errors that mean a person refused the call (an approval denied), which no other argument can fix. */
const REFUSAL = /\b(?:denied|rejected|declined|not approved|refused)\b/i;

/** The concept each entity kind stands for, so "Lisa Park" makes a task about a customer. */
const ENTITY_CONCEPTS: Partial<Record<ParameterKind, string>> = {
  email: 'email',
  orderId: 'order',
  customerId: 'customer',
  customerName: 'customer',
  sku: 'product',
  issueId: 'issue',
  branch: 'branch',
  environment: 'environment',
};

/**
 * The host's own tools (`deckhand__extract_entities`, `deckhand__summarize_state`, `deckhand__ask_user`) help a
 * language model keep track of a task. The planner already extracts entities, re-reads the state every step and asks
 * its clarifying questions in text, so it offers itself one only when the task names it: every word of the tool's
 * name appears in the task ("extract the entities from …"), compared on their first five letters so that
 * "summarise" and "entity" count.
 */
function isUnaskedOwnTool(name: string, task: string): boolean {
  if (!name.startsWith('deckhand__')) return false;
  const taskWords = task.toLowerCase().match(/[a-z]+/g) ?? [];
  const stem = (word: string) => word.slice(0, 5);
  return !name
    .slice('deckhand__'.length)
    .split('_')
    .every((word) => taskWords.some((candidate) => stem(candidate) === stem(word)));
}

function stableKey(name: string, input: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([left], [right]) => left.localeCompare(right)));
  return `${name}\u0000${JSON.stringify(sorted)}`;
}

/**
 * The goal: a non-read-only tool whose name starts with a verb the task asks for (best score first); else, for a
 * request without such a verb, a read tool that matches; else an action tool whose name matches the task twice.
 */
function chooseGoal(options: {
  ranked: readonly RankedTool[];
  verbs: ReadonlySet<string>;
  concepts: ReadonlySet<string>;
  question: boolean;
}): Goal | undefined {
  const { ranked, verbs, concepts, question } = options;
  const actions = ranked.filter((tool) => !tool.profile.readOnly && isRelevant(tool));
  const reads = ranked.filter((tool) => tool.profile.readOnly && isRelevant(tool));
  if (verbs.size > 0) {
    const named = actions.find((tool) => tool.verbMatch) ?? actions.find((tool) => tool.nameMatches >= 1);
    if (named) return { profile: named.profile, mode: 'action' };
    // Asked to act, but nothing here acts that way: reading instead would only look like progress.
    const reader = reads.find((tool) => tool.verbMatch);
    return reader ? { profile: reader.profile, mode: 'question' } : undefined;
  }
  // "XYZ-789 needs a shipping confirmation": no verb, but a tool name that says it twice over.
  const strongAction = question ? undefined : actions.find((tool) => objectMatches(tool.profile, concepts) >= 2);
  if (strongAction && strongAction.score > (reads[0]?.score ?? 0))
    return { profile: strongAction.profile, mode: 'action' };
  if (reads[0]) return { profile: reads[0].profile, mode: 'question' };
  return undefined;
}

/** Task concepts in a tool's name other than its verb: `shipping`, `confirmation` of `sendShippingConfirmation`. */
function objectMatches(profile: ToolProfile, concepts: ReadonlySet<string>): number {
  const named = new Set([...profile.nameConcepts, ...profile.serverConcepts]);
  named.delete(profile.verb);
  return [...named].filter((concept) => concepts.has(concept)).length;
}

/** The concepts that tell which tool can supply a parameter: its name's words and its kind. */
function parameterConcepts(parameter: ParameterInfo): Set<string> {
  const concepts = new Set(
    splitIdentifier(parameter.name)
      .filter((word) => !['id', 'ids', 'number', 'no', 'key'].includes(word))
      .map(conceptOf),
  );
  const kindConcept = ENTITY_CONCEPTS[parameter.kind];
  if (kindConcept) concepts.add(kindConcept);
  return concepts;
}

/** Read tools whose name or description promises the parameter's value, best first. */
function providersFor(
  parameter: ParameterInfo,
  ranked: readonly RankedTool[],
  exclude: ReadonlySet<string>,
): ToolProfile[] {
  const concepts = parameterConcepts(parameter);
  const scored = ranked
    .filter((tool) => tool.profile.readOnly && !exclude.has(tool.profile.spec.name))
    // A tool that takes no required input (a plain listing) cannot single out the one entity the task means.
    .filter((tool) => !ENTITY_KINDS.has(parameter.kind) || tool.profile.parameters.some((candidate) => candidate.required))
    .map((tool, index) => {
      let score = 0;
      for (const concept of concepts) {
        if (tool.profile.nameConcepts.has(concept)) score += 3;
        else if (tool.profile.descriptionConcepts.has(concept)) score += 1;
      }
      return { profile: tool.profile, score, index };
    })
    .filter((entry) => entry.score > 0);
  scored.sort((left, right) => right.score - left.score || left.index - right.index);
  return scored.map((entry) => entry.profile);
}

/** Everything one step's planning reads, gathered once. */
interface Context {
  readonly ranked: readonly RankedTool[];
  readonly knowledge: Knowledge;
  readonly called: ReadonlySet<string>;
}

/**
 * Works backwards from a tool: call it when its arguments can be filled (with a set not tried before); otherwise
 * find a read tool that can supply the first missing value and resolve that, up to `MAX_CHAIN_DEPTH` deep.
 */
function resolve(profile: ToolProfile, context: Context, chain: ReadonlySet<string>, purpose: string): Resolution {
  const plan = fillArguments(profile, context.knowledge);
  const firstMissing = plan.missing[0];
  if (!firstMissing) {
    const input = plan.candidates.find((candidate) => !context.called.has(stableKey(profile.spec.name, candidate)));
    return input ? { type: 'call', profile, input, purpose } : { type: 'exhausted' };
  }
  let deepest: Resolution | undefined;
  if (chain.size < MAX_CHAIN_DEPTH) {
    for (const provider of providersFor(firstMissing, context.ranked, chain)) {
      const label = splitIdentifier(firstMissing.name).join(' ');
      const resolution = resolve(provider, context, new Set([...chain, provider.spec.name]), `find the ${label}`);
      if (resolution.type === 'call') return resolution;
      if (resolution.type === 'missing' && !deepest) deepest = resolution;
    }
  }
  // Ask for what the first chain lacked when it is something a person can state (an order id), else for our own gap.
  if (deepest?.type === 'missing' && ENTITY_KINDS.has(deepest.parameter.kind)) {
    return { type: 'missing', parameter: deepest.parameter, goalParameter: firstMissing };
  }
  return { type: 'missing', parameter: firstMissing, goalParameter: firstMissing };
}

function factsOf(calls: readonly CallRecord[]): Fact[] {
  return calls
    .filter((record) => record.result && !record.result.isError)
    .reverse()
    .flatMap((record) => factsFromOutput(record.result?.output ?? '', record.call.name));
}

function callDecision(resolution: Extract<Resolution, { type: 'call' }>, step: number): PlannerDecision {
  const call: ToolCall = { id: `offline_${step}_1`, name: resolution.profile.spec.name, input: resolution.input };
  return { text: `Next: ${resolution.purpose} (${displayName(call.name)}).`, toolCalls: [call] };
}

/**
 * Decides one step from the whole request: the next tool call, or the final answer (a summary, an answer, a
 * clarifying question, an explained error, or what is out of reach offline). Deterministic; never throws.
 */
export function decide(request: ModelRequest): PlannerDecision {
  const conversation = readConversation(request.messages);
  const { task, step, calls, lastTurn } = conversation;
  if (task.trim() === '') return { text: 'What would you like me to do?', toolCalls: [] };

  const profiles = request.tools.filter((tool) => !isUnaskedOwnTool(tool.name, task)).map(profileTool);
  const entities = extractEntities(task);
  const entityKinds = entityKindsOf(entities);
  const concepts = conceptsOf(task);
  for (const kind of entityKinds) {
    const concept = ENTITY_CONCEPTS[kind];
    if (concept) concepts.add(concept);
  }
  const verbs = requestedActions(task);
  const ranked = rankTools({ profiles, concepts, verbs, entityKinds });
  const goal = chooseGoal({ ranked, verbs, concepts, question: isQuestion(task) });
  if (!goal) return { text: outOfScopeAnswer({ task, tools: profiles }), toolCalls: [] };

  // A follow-up that names nothing ("now send them a confirmation") builds on what the chat found out earlier; a
  // task that names its own order or customer must not pick up another one's email address.
  const earlier = isEmpty(entities) ? factsOf(conversation.history) : [];
  const knowledge: Knowledge = { task, entities, facts: [...factsOf(calls), ...earlier] };
  const done = calls.find(
    (record) => record.call.name === goal.profile.spec.name && record.result && !record.result.isError,
  );
  if (done) {
    const text =
      goal.mode === 'action'
        ? actionSummary({ goal: goal.profile, done, calls, knowledge })
        : questionAnswer({ done, calls, knowledge, concepts });
    return { text, toolCalls: [] };
  }

  const failed = lastTurn.find((record) => record.result?.isError);
  const errors = calls.filter((record) => record.result?.isError).length;
  const explainFailure = (record: CallRecord): PlannerDecision => ({
    text: errorAnswer({ goal: goal.profile, mode: goal.mode, failed: record, calls, knowledge }),
    toolCalls: [],
  });
  // A person said no, or the limit of attempts is reached: explain rather than try around it.
  if (failed && (errors >= MAX_ERRORS || REFUSAL.test(failed.result?.output ?? ''))) return explainFailure(failed);
  if (calls.length >= MAX_CALLS) {
    const lastFailure = [...calls].reverse().find((record) => record.result?.isError);
    if (lastFailure) return explainFailure(lastFailure);
  }

  const called = new Set(calls.map((record) => stableKey(record.call.name, record.call.input)));
  const context: Context = { ranked, knowledge, called };
  const purpose = actionPhrase(goal.profile);
  const resolution = resolve(goal.profile, context, new Set([goal.profile.spec.name]), purpose);

  if (failed) {
    // One fix attempt: the same tool with a different candidate value. Anything else would only repeat the failure.
    if (resolution.type === 'call' && resolution.profile.spec.name === failed.call.name)
      return callDecision(resolution, step);
    return explainFailure(failed);
  }
  if (resolution.type === 'call' && calls.length < MAX_CALLS) return callDecision(resolution, step);
  if (resolution.type === 'missing') {
    const alternative = resolution.goalParameter !== resolution.parameter ? resolution.goalParameter : undefined;
    return {
      text: clarifyingQuestion({
        parameter: resolution.parameter,
        goal: goal.profile,
        mode: goal.mode,
        ...(alternative ? { alternative } : {}),
      }),
      toolCalls: [],
    };
  }
  return {
    text: `I could not ${purpose} with the connected tools: the lookups I could make did not give me what I needed.`,
    toolCalls: [],
  };
}
