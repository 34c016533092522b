/**
 * @module The offline planner's decision for one step. It keeps no state: every step it re-reads the task and the
 * calls made so far, finds the task's goals (one per action it asks for, in order, or the read that answers its
 * question), and works backwards from the first goal not yet done to the next call, a clarifying question, or the
 * final answer.
 */
import type { ModelRequest, ToolCall } from '../types.js';
import type { ToolSpec } from '../../contracts/index.js';
import {
  actionPhrase,
  ambiguityQuestion,
  bulkRefusal,
  clarifyingQuestion,
  errorAnswer,
  finalAnswer,
  outOfScopeAnswer,
  RECORD_NOUNS,
} from './answers.js';
import { type Ambiguity, fillArguments, recordKindOf, referredKinds, subjectKind } from './argument-filling.js';
import { bind } from './bindings.js';
import type { Knowledge } from './compose-text.js';
import { type CallRecord, readConversation } from './conversation.js';
import { extractEntities, isEmpty } from './entities.js';
import { type Fact, factsFromOutput } from './facts.js';
import { type Goal, goalsOf } from './goals.js';
import { displayName, type ParameterInfo } from './parameters.js';
import { type RecordKind, recordsOfCalls } from './records.js';
import { shapeOf } from './task-steps.js';
import { entityKindsOf, profileTool, type ToolProfile } from './tool-ranking.js';
import { splitIdentifier } from './vocabulary.js';

/** What the planner says for one step: text, and tool calls when it is not done yet. */
export interface PlannerDecision {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
}

type Resolution =
  | { readonly type: 'call'; readonly profile: ToolProfile; readonly input: Record<string, unknown>; readonly purpose: string }
  | { readonly type: 'missing'; readonly parameter: ParameterInfo; readonly goalParameter: ParameterInfo }
  | { readonly type: 'ambiguous'; readonly ambiguity: Ambiguity }
  | { readonly type: 'exhausted' };

/** How many read tools deep the planner chains to find a missing value. */
const MAX_CHAIN_DEPTH = 3;
/** Failed calls tolerated per task before the planner explains instead of retrying. */
const MAX_ERRORS = 2;
/** Calls per task after which the planner stops and reports, whatever the step limit. */
const MAX_CALLS = 14;
/** Candidates the planner reads in full to tell them apart before it asks which one is meant. */
const MAX_DETAIL_READS = 5;

/** What a lookup is for, by the kind of value it finds ("find the email address"). */
const PURPOSE_LABELS: Partial<Record<RecordKind, string>> = { email: 'email address', orderId: 'order', customerId: 'customer id', sku: 'item', issueId: 'issue' };

/** Values people name a task by; when one is missing the planner asks for it rather than for what would find it. */
const STATED_KINDS: ReadonlySet<string> = new Set(['orderId', 'customerId', 'sku', 'issueId', 'entityId']);

/** Tool errors that mean a person refused the call (an approval denied), which no other argument can fix. */
const REFUSAL = /\b(?:denied|rejected|declined|not approved|refused|not allowed)\b/i;

/** The concept that tells which tools can supply a value of each kind. */
const KIND_CONCEPTS: Readonly<Record<RecordKind, readonly string[]>> = {
  orderId: ['order'],
  customerId: ['customer'],
  customerName: ['customer'],
  email: ['email'],
  phone: ['phone', 'customer'],
  sku: ['product', 'inventory'],
  issueId: ['issue'],
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

const catalogCache = new WeakMap<readonly ToolSpec[], Map<string, readonly ToolProfile[]>>();

/** The catalog as profiles, minus the host's own tools the task does not ask for; one array per catalog and choice. */
function catalogProfiles(tools: readonly ToolSpec[], task: string): readonly ToolProfile[] {
  const offered = tools.filter((tool) => !isUnaskedOwnTool(tool.name, task));
  const key = offered.map((tool) => tool.name).join('\u0000');
  const byChoice = catalogCache.get(tools) ?? new Map<string, readonly ToolProfile[]>();
  catalogCache.set(tools, byChoice);
  let profiles = byChoice.get(key);
  if (!profiles) {
    profiles = offered.map(profileTool);
    byChoice.set(key, profiles);
  }
  return profiles;
}

function stableKey(name: string, input: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([left], [right]) => left.localeCompare(right)));
  return `${name}\u0000${JSON.stringify(sorted)}`;
}

/** Everything one step's planning reads, gathered once. */
interface Context {
  readonly profiles: readonly ToolProfile[];
  readonly knowledge: Knowledge;
  readonly called: ReadonlySet<string>;
  readonly referred: ReadonlySet<RecordKind>;
}

/**
 * Read tools that can supply a value of `kind`: they promise it in their name (or description), take an input the
 * task can fill with something it names (a search term, the customer's id), and do not need the value itself.
 */
function providersFor(kind: RecordKind, context: Context, exclude: ReadonlySet<string>): ToolProfile[] {
  const concepts = KIND_CONCEPTS[kind];
  const { entities } = context.knowledge;
  const searchable = entities.customerNames.length + entities.emails.length + entities.phones.length + entities.nameFragments.length > 0;
  const statedConcepts = [
    ...(searchable || entities.customerIds.length > 0 ? ['customer'] : []),
    ...(entities.orderIds.length > 0 ? ['order'] : []),
    ...(entities.skus.length > 0 ? ['product', 'inventory'] : []),
    ...(entities.issueIds.length > 0 ? ['issue'] : []),
  ];
  const scored = context.profiles
    .filter((profile) => profile.readOnly && !exclude.has(profile.spec.name))
    .filter((profile) => !profile.parameters.some((parameter) => parameter.required && recordKindOf(parameter.kind) === kind))
    // It must take something that singles the record out: an id of another kind (required, or one the task names),
    // or a search term. A listing without such a filter cannot tell which record the task means.
    .filter((profile) =>
      profile.parameters.some((parameter) => {
        const parameterKind = recordKindOf(parameter.kind);
        const usable = parameter.required || (parameterKind !== undefined && context.referred.has(parameterKind));
        return usable && ((parameterKind !== undefined && parameterKind !== kind) || parameter.kind === 'query');
      }),
    )
    .map((profile, index) => {
      let score = 0;
      for (const concept of concepts) {
        if (profile.nameConcepts.has(concept)) score += 3;
        else if (profile.descriptionConcepts.has(concept)) score += 1;
      }
      // A tool named for what the task names ("Lisa Park" → a customer tool) over one that merely mentions it.
      const searches = profile.parameters.some((parameter) => parameter.kind === 'query');
      if (searches && statedConcepts.some((concept) => profile.nameConcepts.has(concept))) score += 3;
      if (searches && searchable && (kind === 'customerId' || kind === 'email' || kind === 'customerName')) score += 2;
      if (searches && !searchable) score -= 2;
      return { profile, score, index };
    })
    .filter((entry) => entry.score > 0);
  scored.sort((left, right) => right.score - left.score || left.index - right.index);
  return scored.map((entry) => entry.profile);
}

/** A read tool that describes one record of `kind` in full (`get_order(order_id)`), for telling candidates apart. */
function detailTool(kind: RecordKind, context: Context): { profile: ToolProfile; parameter: ParameterInfo } | undefined {
  const concepts = KIND_CONCEPTS[kind];
  const found: { profile: ToolProfile; parameter: ParameterInfo; score: number }[] = [];
  for (const profile of context.profiles) {
    if (!profile.readOnly) continue;
    const required = profile.parameters.filter((parameter) => parameter.required);
    const parameter = required[0];
    if (required.length !== 1 || !parameter || recordKindOf(parameter.kind) !== kind) continue;
    // `get_order` describes an order; `getCustomerEmail(order_id)` only one fact about its customer.
    const others = [...profile.nameConcepts].filter((concept) => concept !== profile.verb && !concepts.includes(concept)).length;
    const named = concepts.some((concept) => profile.nameConcepts.has(concept));
    found.push({ profile, parameter, score: (named ? 4 : 0) - others + (profile.verb === 'get' ? 1 : 0) });
  }
  found.sort((left, right) => right.score - left.score);
  return found[0];
}

/**
 * Works backwards from a tool: call it when its arguments can be filled (with a set not tried before); otherwise
 * find a read tool that can supply the first missing value and resolve that, up to `MAX_CHAIN_DEPTH` deep.
 */
function resolve(profile: ToolProfile, context: Context, chain: ReadonlySet<string>, purpose: string): Resolution {
  const plan = fillArguments(profile, context.knowledge, { wantReferred: true });
  if (plan.ambiguous) return { type: 'ambiguous', ambiguity: plan.ambiguous };
  const firstMissing = plan.missing[0];
  if (!firstMissing) {
    const input = plan.candidates.find((candidate) => !context.called.has(stableKey(profile.spec.name, candidate)));
    return input ? { type: 'call', profile, input, purpose } : { type: 'exhausted' };
  }
  const kind = firstMissing.kind === 'entityId' ? subjectKind(context.knowledge, context.knowledge.clause) : recordKindOf(firstMissing.kind);
  let deepest: Resolution | undefined;
  if (kind !== undefined && chain.size < MAX_CHAIN_DEPTH) {
    for (const provider of providersFor(kind, context, chain)) {
      const label = PURPOSE_LABELS[kind] ?? splitIdentifier(firstMissing.name).join(' ');
      const resolution = resolve(provider, context, new Set([...chain, provider.spec.name]), `find the ${label}`);
      if (resolution.type === 'call' || resolution.type === 'ambiguous') return resolution;
      if (resolution.type === 'missing' && !deepest) deepest = resolution;
    }
  }
  // Ask for what the nearest lookup lacked (the order id a customer's email is found by), not for a gap further down.
  if (deepest?.type === 'missing' && !STATED_KINDS.has(firstMissing.kind) && recordKindOf(deepest.goalParameter.kind) !== undefined) {
    return { type: 'missing', parameter: deepest.goalParameter, goalParameter: firstMissing };
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

/** The successful call that did each goal, matched in order (two goals with one tool need two calls). */
function doneCalls(goals: readonly Goal[], calls: readonly CallRecord[]): (CallRecord | undefined)[] {
  const used = new Set<CallRecord>();
  return goals.map((goal) => {
    const done = calls.find(
      (record) => !used.has(record) && record.call.name === goal.profile.spec.name && record.result && !record.result.isError,
    );
    if (done) used.add(done);
    return done;
  });
}

/** Every word the catalog's names and descriptions use, as written (lower case). */
function catalogWords(profiles: readonly ToolProfile[]): Set<string> {
  const words = new Set<string>();
  for (const profile of profiles) {
    for (const word of `${profile.spec.name} ${profile.spec.description}`.toLowerCase().split(/[^a-z]+/)) words.add(word);
  }
  return words;
}

function firstLine(output: string): string {
  return output.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

/**
 * Decides one step from the whole request: the next tool call, or the final answer (a summary, an answer, a
 * clarifying question, an explained error, or what is out of reach offline). Deterministic; never throws.
 */
export function decide(request: ModelRequest): PlannerDecision {
  const conversation = readConversation(request.messages);
  const { task, step, calls, lastTurn } = conversation;
  if (task.trim() === '') return { text: 'What would you like me to do?', toolCalls: [] };

  const profiles = catalogProfiles(request.tools, task);
  const entities = extractEntities(task);
  const shape = shapeOf(task);
  if (shape.bulk) return { text: bulkRefusal({ clause: shape.bulk, tools: profiles }), toolCalls: [] };
  const entityKinds = entityKindsOf(entities);
  const plan = goalsOf({ task, shape, profiles, entities, entityKinds });
  if (plan.type === 'unsupported') return { text: outOfScopeAnswer({ task: plan.clause?.text ?? task, tools: profiles }), toolCalls: [] };
  const { goals } = plan;

  // A follow-up that names nothing ("now send them a confirmation") builds on what the chat found out earlier; a
  // task that names its own order or customer must not pick up another one's email address.
  const earlier = isEmpty(entities) ? conversation.history : [];
  const records = recordsOfCalls([...earlier, ...calls]);
  const bindings = bind(entities, records);
  const base: Knowledge = { task, entities, facts: [...factsOf(calls), ...factsOf(earlier)], records, bindings, shape };
  const called = new Set(calls.map((record) => stableKey(record.call.name, record.call.input)));
  const context = (knowledge: Knowledge): Context => ({ profiles, knowledge, called, referred: referredKinds(knowledge, bindings) });

  const done = doneCalls(goals, calls);
  const next = goals.findIndex((_, index) => done[index] === undefined);
  if (next < 0) return { text: finalAnswer({ goals, done: done as CallRecord[], calls, knowledge: base }), toolCalls: [] };
  const goal = goals[next]!;
  const doneLines = done.slice(0, next).map((record) => firstLine(record?.result?.output ?? ''));
  const knowledge: Knowledge = { ...base, ...(goal.clause ? { clause: goal.clause } : {}), done: doneLines };

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

  const stepContext = context(knowledge);
  const purpose = actionPhrase(goal.profile);
  const resolution = resolve(goal.profile, stepContext, new Set([goal.profile.spec.name]), purpose);

  if (failed) {
    // One fix attempt: the same tool with a different candidate value. Anything else would only repeat the failure.
    if (resolution.type === 'call' && resolution.profile.spec.name === failed.call.name) return callDecision(resolution, step);
    return explainFailure(failed);
  }
  if (resolution.type === 'call' && calls.length < MAX_CALLS) return callDecision(resolution, step);
  if (resolution.type === 'ambiguous') {
    const { ambiguity } = resolution;
    // "The ring order": read each candidate in full once, so the words that tell them apart can be found.
    // Words the catalog itself uses ("placed", "shipped") describe every record, not one of them.
    const telling = ambiguity.unmatched.filter((word) => !catalogWords(profiles).has(word));
    const detail = telling.length > 0 ? detailTool(ambiguity.kind, stepContext) : undefined;
    if (detail && ambiguity.values.length <= MAX_DETAIL_READS && calls.length < MAX_CALLS) {
      for (const value of ambiguity.values) {
        const input = { [detail.parameter.name]: value };
        if (!called.has(stableKey(detail.profile.spec.name, input))) {
          return callDecision({ type: 'call', profile: detail.profile, input, purpose: `read ${value} in full to tell the candidates apart` }, step);
        }
      }
    }
    return { text: ambiguityQuestion({ ambiguity, goal, knowledge }), toolCalls: [] };
  }
  if (resolution.type === 'missing') {
    const alternative = resolution.goalParameter !== resolution.parameter ? resolution.goalParameter : undefined;
    return {
      text: clarifyingQuestion({
        parameter: resolution.parameter,
        goal: goal.profile,
        mode: goal.mode,
        subject: RECORD_NOUNS[subjectKind(knowledge, knowledge.clause)],
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
