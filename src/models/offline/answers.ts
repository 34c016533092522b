/**
 * @module The sentences the offline planner says: what it is about to do, the summary after an action, the answer
 * to a question, a clarifying question, an error explained plainly, and what it cannot do without a real model.
 */
import type { ToolCall } from '../types.js';
import type { Ambiguity } from './argument-filling.js';
import { type Knowledge, subjectOf } from './compose-text.js';
import type { CallRecord } from './conversation.js';
import { extractEntities } from './entities.js';
import { factsFromOutput, statedFacts } from './facts.js';
import type { Goal } from './goals.js';
import { displayName, type ParameterInfo, type ParameterKind } from './parameters.js';
import { isReport, recordsOf, type RecordKind } from './records.js';
import type { Clause } from './task-steps.js';
import { rankTools, type ToolProfile } from './tool-ranking.js';
import { conceptsOf, conceptsOfIdentifier, isStopword, pastTense, spokenVerb, splitIdentifier, stem, tokenize } from './vocabulary.js';

const MAX_ARGUMENT_LENGTH = 60;
const MAX_RESULT_LENGTH = 200;
const MAX_CAPABILITIES = 4;

/** How a person calls the thing a parameter of each kind holds. */
const KIND_LABELS: Readonly<Record<ParameterKind, string>> = {
  email: 'email address',
  orderId: 'order id',
  customerId: 'customer',
  customerName: 'customer',
  sku: 'item (SKU)',
  issueId: 'issue id',
  branch: 'branch',
  environment: 'environment',
  amount: 'amount',
  quantity: 'quantity',
  carrier: 'carrier',
  tracking: 'tracking number',
  file: 'file',
  date: 'date',
  entityId: 'id',
  query: 'search term',
  title: 'title',
  text: 'text',
  other: '',
};


function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** `{"email":"a@b.c","order_details":"Order…"}` → `email: "a@b.c", order_details: "Order…"`. */
function describeArguments(input: Record<string, unknown>): string {
  return Object.entries(input)
    .map(([name, value]) => `${name}: ${truncate(JSON.stringify(value) ?? String(value), MAX_ARGUMENT_LENGTH)}`)
    .join(', ');
}

/** `crm.getCustomerEmail(order_id: "XYZ-789")`. */
export function describeCall(call: ToolCall): string {
  return `${displayName(call.name)}(${describeArguments(call.input)})`;
}

/** One line for a tool result: its facts as `key: value` pairs when it is structured, else its first line. */
export function summarizeResult(output: string, source: string): string {
  const facts = /^\s*[[{]/.test(output) ? statedFacts(output, source) : [];
  if (facts.length > 0) {
    return truncate(facts.map((fact) => `${fact.key}: ${String(fact.value)}`).join(', '), MAX_RESULT_LENGTH);
  }
  const line = output.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return truncate(line, MAX_RESULT_LENGTH) || '(no output)';
}

/** `send the shipping confirmation`, `create the issue`, `deploy` — what a tool does, from its name. */
export function actionPhrase(profile: ToolProfile): string {
  const [written = '', ...rest] = objectWords(profile);
  const verb = spokenVerb(written);
  return rest.length === 0 ? verb : `${verb} the ${rest.join(' ')}`;
}

/** The verb and the object of a tool name; `deploy_with_review` has no object (`with review` is a manner). */
function objectWords(profile: ToolProfile): string[] {
  const [verb = '', ...rest] = profile.nameWords;
  const stop = rest.findIndex((word) => isStopword(word));
  return [verb, ...(stop < 0 ? rest : rest.slice(0, stop))];
}

function pastPhrase(profile: ToolProfile): string {
  const [verb = '', ...rest] = objectWords(profile);
  const past = pastTense(verb);
  const capitalised = past.charAt(0).toUpperCase() + past.slice(1);
  return rest.length === 0 ? capitalised : `${capitalised} the ${rest.join(' ')}`;
}

/** " for order XYZ-789" — the subject of the task, to finish a sentence; '' when there is none. */
function forSubject(knowledge: Knowledge): string {
  const subject = subjectOf(knowledge);
  return subject === '' ? '' : ` for ${subject.charAt(0).toLowerCase()}${subject.slice(1)}`;
}

function stepList(calls: readonly CallRecord[]): string {
  return calls
    .map((record, index) => {
      const outcome = record.result
        ? record.result.isError
          ? `error: ${truncate(record.result.output, MAX_RESULT_LENGTH)}`
          : summarizeResult(record.result.output, record.call.name)
        : '(no result)';
      return `${index + 1}. ${describeCall(record.call)} → ${outcome}`;
    })
    .join('\n');
}

/** "The email for order XYZ-789 is …": the fact a one-record JSON result holds that the question names. */
function factHeadline(done: CallRecord, knowledge: Knowledge, concepts: ReadonlySet<string>): string | undefined {
  const facts = factsFromOutput(done.result?.output ?? '', done.call.name).filter(
    (fact) => !knowledge.task.includes(String(fact.value)),
  );
  const matching = facts.filter((fact) => conceptsOfIdentifier(fact.key).some((concept) => concepts.has(concept)));
  // The fact named by the rarest matching concept is the one asked about ("the email of…" over "customer_id").
  const rarity = (concept: string) =>
    matching.filter((fact) => conceptsOfIdentifier(fact.key).includes(concept)).length;
  const best = [...matching].sort((left, right) => {
    const score = (key: string) =>
      Math.min(
        ...conceptsOfIdentifier(key)
          .filter((concept) => concepts.has(concept))
          .map(rarity),
      );
    return score(left.key) - score(right.key);
  })[0];
  return best ? `The ${splitIdentifier(best.key).join(' ')}${forSubject(knowledge)} is ${String(best.value)}.` : undefined;
}

/** An example value for a parameter, from its description ("e.g. XYZ-789", "(C-1001)"); none is made up. */
function exampleFor(parameter: ParameterInfo): string | undefined {
  const stated = /e\.g\.,?\s*([^\s,;)]+)/i.exec(parameter.description)?.[1];
  if (stated) return stated;
  const ids = extractEntities(parameter.description);
  return (
    ids.orderIds[0] ??
    ids.customerIds[0] ??
    ids.issueIds[0] ??
    ids.skus[0] ??
    ids.emails[0]
  );
}

/** A clarifying question for a value nothing could supply; `alternative` is another value that would also do. */
export function clarifyingQuestion(options: {
  parameter: ParameterInfo;
  goal: ToolProfile;
  mode: 'action' | 'question';
  alternative?: ParameterInfo;
  /** What an id of any kind refers to in this task (`order`), for an `entity`-like parameter. */
  subject?: string;
}): string {
  const { parameter, goal, mode, alternative, subject } = options;
  const label =
    parameter.kind === 'entityId' && subject ? `${subject} id` : KIND_LABELS[parameter.kind] || splitIdentifier(parameter.name).join(' ');
  const example = exampleFor(parameter);
  const noun = label.replace(/ id$/, '');
  const purpose = mode === 'action' ? `should I ${actionPhrase(goal)} for` : 'do you mean';
  const ask =
    parameter.kind === 'customerId' || parameter.kind === 'customerName'
      ? 'Please give their name or customer id'
      : `Please give the ${label}`;
  const question = `Which ${noun} ${purpose}? ${ask}${example ? ` (like ${example})` : ''}.`;
  if (!alternative || alternative.kind === parameter.kind) return question;
  const otherLabel = KIND_LABELS[alternative.kind] || splitIdentifier(alternative.name).join(' ');
  return `${question} Or tell me the ${otherLabel} to use.`;
}

/** Explains a failed call plainly, says what was not done, and what to check. */
export function errorAnswer(options: {
  goal: ToolProfile;
  mode: 'action' | 'question';
  failed: CallRecord;
  calls: readonly CallRecord[];
  knowledge: Knowledge;
}): string {
  const { goal, mode, failed, calls, knowledge } = options;
  const error = truncate(failed.result?.output ?? 'unknown error', MAX_RESULT_LENGTH);
  const what = mode === 'action' ? actionPhrase(goal) : 'look that up';
  // Point at an argument only when the error names its value ("No order XYZ-000"); otherwise the cause is elsewhere.
  const checks = Object.entries(failed.call.input)
    .filter(([, value]) => typeof value === 'string' && value.length >= 3 && error.includes(value))
    .map(([name]) => splitIdentifier(name).join(' '));
  const advice =
    checks.length > 0 && !/\bcheck\b/i.test(error) ? ` Please check the ${checks.join(' and ')} and try again.` : '';
  const stop = /[.!?]$/.test(error) ? '' : '.';
  return (
    `I could not ${what}${forSubject(knowledge)}: ${displayName(failed.call.name)} failed: ${error}${stop}${advice}` +
    `\n\nWhat I did:\n${stepList(calls)}`
  );
}

/** The answer when no connected tool fits the request: what the tools can do, and how to get a full model. */
function capabilitiesOf(tools: readonly ToolProfile[], task: string): string {
  // Tools named for what the task is about first ("the status of deployments" → the deploy tools), then the
  // ones that change something.
  const about = new Set(
    rankTools({ profiles: tools, concepts: conceptsOf(task), verbs: new Set(), entityKinds: new Set() })
      .filter((tool) => tool.nameMatches > 0)
      .map((tool) => tool.profile),
  );
  const rest = tools.filter((tool) => !about.has(tool));
  const ordered = [...about, ...rest.filter((tool) => !tool.readOnly), ...rest.filter((tool) => tool.readOnly)];
  const capabilities = ordered.slice(0, MAX_CAPABILITIES).map((tool) => {
    const sentence =
      tool.spec.description
        // The first sentence; "e.g." and "i.e." do not end one.
        .split(/(?<=\.)(?<!\b(?:e\.g|i\.e)\.)\s/)[0]
        ?.replace(/\.$/, '')
        .trim() ?? '';
    const what = sentence === '' ? actionPhrase(tool) : sentence.charAt(0).toLowerCase() + sentence.slice(1);
    return `${what} (${displayName(tool.spec.name)})`;
  });
  return capabilities.length > 0
    ? ` With the connected tools I can, for example: ${capabilities.join('; ')}.`
    : ' No tools are connected right now.';
}

/** The answer when no connected tool fits the request: what the tools can do, and how to get a full model. */
export function outOfScopeAnswer(options: { task: string; tools: readonly ToolProfile[] }): string {
  const { task, tools } = options;
  return (
    `I can't do that offline: none of the connected tools matches "${truncate(task, 80)}".${capabilitiesOf(tools, task)}` +
    ' For requests beyond these, set OPENAI_API_KEY (or ANTHROPIC_API_KEY) or choose a model with --model.'
  );
}

const MAX_QUOTED_RECORDS = 15;
const MAX_QUOTE_LENGTH = 600;
const MAX_QUOTED_LINES = 8;
const NOTHING = /^(?:no\b|none\b|nothing\b|not found\b|0 (?:\w+ )?(?:found|results?|matches|items?|records?)\b|\[\s*\]$|\{\s*\}$)/i;

/** What a person calls a record of each kind. */
export const RECORD_NOUNS: Readonly<Record<RecordKind, string>> = {
  orderId: 'order',
  customerId: 'customer',
  customerName: 'customer',
  email: 'email address',
  phone: 'phone number',
  sku: 'item',
  issueId: 'issue',
};

/** A record as one readable line: a JSON object as `key: value` pairs, text as it is. */
function recordLine(text: string): string {
  const line = /^\s*\{/.test(text) ? statedFacts(text, '').map((fact) => `${fact.key}: ${String(fact.value)}`).join(', ') : text;
  return truncate(line || text, MAX_RESULT_LENGTH);
}

/** Whether a result says it found nothing ("No notes on order:XYZ-789.", `[]`, `{"items":[]}`). */
export function foundNothing(output: string): boolean {
  const trimmed = output.trim();
  if (trimmed === '' || trimmed === '(no output)' || NOTHING.test(trimmed)) return true;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed)) return parsed.length === 0;
    if (parsed !== null && typeof parsed === 'object') {
      const values = Object.values(parsed);
      return values.some((value) => Array.isArray(value)) && values.every((value) => !Array.isArray(value) || value.length === 0);
    }
  } catch {
    // Text, not JSON.
  }
  return false;
}

/** " for order XYZ-789", from the ids a call was made with (`order:XYZ-789` reads as order XYZ-789). */
function forInput(call: ToolCall, knowledge: Knowledge): string {
  for (const value of Object.values(call.input)) {
    if (typeof value !== 'string') continue;
    const reference = /^([a-z]+):(\S+)$/.exec(value);
    if (reference) return ` for ${reference[1]} ${reference[2]}`;
  }
  const ids = extractEntities(Object.values(call.input).filter((value) => typeof value === 'string').join(' '));
  const id = ids.orderIds[0] ? `order ${ids.orderIds[0]}` : ids.issueIds[0] ? `issue ${ids.issueIds[0]}` : ids.customerIds[0] ? `customer ${ids.customerIds[0]}` : ids.skus[0] ? `item ${ids.skus[0]}` : '';
  return id === '' ? forSubject(knowledge) : ` for ${id}`;
}

/** A status in capitals that says an action did not happen (`# Deploy main to production: BLOCKED`). */
const NOT_DONE_STATUS = /\b(?:BLOCKED|FAILED|REFUSED|REJECTED|DENIED|ABORTED|SKIPPED|DO_NOT_\w+|NOT[ _]\w+)\b/;

/**
 * The opening lines of a result that succeeded as a call but says its action did not happen: a status such as
 * BLOCKED or FAILED, or "Not deployed: …" for the tool's own verb. Undefined when it reads as done.
 */
function notDoneHeadline(output: string, verb: string): string | undefined {
  const opening = output
    .split('\n')
    .map((line) => line.replace(/^\s*#{1,6}\s+/, '').trim())
    .filter((line) => line !== '')
    .slice(0, 2);
  const past = pastTense(verb);
  const negated = new RegExp(`\\b(?:not|never)\\s+(?:been\\s+)?${past}\\b`, 'i');
  if (!opening.some((line) => NOT_DONE_STATUS.test(line) || negated.test(line))) return undefined;
  return truncate(opening.map((line) => (/[.!?:]$/.test(line) ? line : `${line}.`)).join(' '), MAX_RESULT_LENGTH * 2);
}

function actionSentence(goal: ToolProfile, done: CallRecord, knowledge: Knowledge): string {
  const argument = (kind: ParameterKind): string | undefined => {
    const parameter = goal.parameters.find((candidate) => candidate.kind === kind);
    const value = parameter ? done.call.input[parameter.name] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const branch = argument('branch');
  const environment = argument('environment');
  const address = argument('email');
  const what = branch && objectWords(goal).length === 1 ? ` ${branch}` : forInput(done.call, knowledge);
  // "Deployed main to staging", but "Rolled back staging": without a branch the environment is what is acted on.
  const where = environment ? (branch ? ` to ${environment}` : ` ${environment}`) : '';
  const to = address ? ` to ${address}` : '';
  const output = done.result?.output ?? '';
  const result = truncate((output.split('\n')[0] ?? '').replace(/^\s*#{1,6}\s+/, ''), MAX_RESULT_LENGTH);
  const [verb = '', ...object] = objectWords(goal);
  // The call went through, but what it reports is that nothing was done: say so, never "Deployed …".
  const notDone = notDoneHeadline(output, verb);
  if (notDone) return `I did not ${actionPhrase(goal)}${what}${where}${to}: ${displayName(done.call.name)} says: ${notDone}`;
  const past = pastTense(verb).charAt(0).toUpperCase() + pastTense(verb).slice(1);
  const target = what.startsWith(' for ') ? what.slice(' for '.length) : undefined;
  let phrase = `${pastPhrase(goal)}${what}`;
  // "Refunded order XYZ-789", "Marked order XYZ-790 shipped" rather than "Refunded the order for order XYZ-789".
  if (target && object.length === 1 && target.startsWith(`${object[0]} `)) phrase = `${past} ${target}`;
  else if (target && object.length === 1 && object[0]!.endsWith('ed')) phrase = `${past} ${target} ${object[0]}`;
  return `${phrase}${where}${to}. ${displayName(done.call.name)}: ${result}`;
}

/** Lines of a result that hold what the question asks about (its words other than ids and stopwords). */
function linesAbout(output: string, task: string): string[] {
  const words = tokenize(task.replace(/\b[A-Z]{1,5}-[A-Z0-9-]+\b/g, ' '))
    .filter((word) => word.length >= 3 && !isStopword(word) && !['many', 'much', 'number', 'tell', 'show', 'give', 'find', 'check', 'look', 'lookup', 'order', 'customer'].includes(word))
    .map(stem);
  if (words.length === 0) return [];
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && words.some((word) => new RegExp(`\\b${word}`, 'i').test(line)));
}

const MAX_REPORT_QUOTE_LENGTH = 1_200;

/**
 * The opening of a Markdown report, quoted as it stands up to {@link MAX_REPORT_QUOTE_LENGTH} characters: its
 * sections in the order the tool wrote them (the findings come first in a report), without code blocks, cut at a
 * line break.
 */
function reportExcerpt(output: string): string {
  const lines: string[] = [];
  let length = 0;
  let inCode = false;
  for (const line of output.trim().split('\n')) {
    if (/^\s*```/.test(line)) {
      inCode = !inCode;
      continue;
    }
    if (inCode || (line.trim() === '' && (lines.at(-1) ?? '') === '')) continue;
    if (length + line.length > MAX_REPORT_QUOTE_LENGTH) {
      lines.push('…');
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n').trim();
}

/** The answer to a question from the result that answers it, quoting its records; never more than they say. */
function quoteAnswer(done: CallRecord, knowledge: Knowledge): string {
  const output = done.result?.output ?? '';
  const tool = displayName(done.call.name);
  const subject = forInput(done.call, knowledge);
  if (foundNothing(output)) return `I found nothing: ${tool}${subject} returned "${truncate(output, MAX_RESULT_LENGTH) || 'nothing'}".`;
  const records = recordsOf(output, done.call.name, 0);
  if (records.length > 1) {
    const shown = records.slice(0, MAX_QUOTED_RECORDS).map((record) => `- ${recordLine(record.text)}`);
    const more = records.length > MAX_QUOTED_RECORDS ? `\n…and ${records.length - MAX_QUOTED_RECORDS} more.` : '';
    return `${tool}${subject} returned ${records.length} records:\n${shown.join('\n')}${more}`;
  }
  if (/^\s*[[{]/.test(output)) {
    const headline = factHeadline(done, knowledge, conceptsOf(knowledge.task));
    if (headline) return headline;
  }
  if (isReport(output)) return `${tool}${subject}:\n${reportExcerpt(output)}`;
  // A short result is quoted whole; of a long one, the lines about what was asked.
  const short = output.length <= MAX_QUOTE_LENGTH && output.split('\n').length <= MAX_QUOTED_LINES;
  const about = short ? [] : linesAbout(output, knowledge.task);
  const quoted = about.length > 0 ? about.join('\n') : output.trim();
  return `${tool}${subject}: ${quoted.length > MAX_QUOTE_LENGTH ? `${quoted.slice(0, MAX_QUOTE_LENGTH - 1)}…` : quoted}`;
}

/** The final answer once every goal is done: one line per action (with what its tool said) or answer, then the calls. */
export function finalAnswer(options: {
  goals: readonly Goal[];
  done: readonly CallRecord[];
  calls: readonly CallRecord[];
  knowledge: Knowledge;
}): string {
  const { goals, done, calls, knowledge } = options;
  const lines = goals.map((goal, index) => {
    const record = done[index]!;
    return goal.mode === 'action' ? actionSentence(goal.profile, record, knowledge) : quoteAnswer(record, knowledge);
  });
  return `${lines.join('\n')}\n\nWhat I did:\n${stepList(calls)}`;
}

/** The question when several records fit and nothing in the task tells them apart: it names each candidate. */
export function ambiguityQuestion(options: { ambiguity: Ambiguity; goal: Goal; knowledge: Knowledge }): string {
  const { ambiguity, goal, knowledge } = options;
  const noun = RECORD_NOUNS[ambiguity.kind];
  const relevant = knowledge.bindings?.relevant ?? [];
  const lines = ambiguity.values.map((value) => {
    const record = relevant.find((candidate) => (candidate.values.get(ambiguity.kind) ?? []).some((found) => found.toLowerCase() === value.toLowerCase()));
    const text = record ? recordLine(record.text) : value;
    return `- ${text.includes(value) ? text : `${value}: ${text}`}`;
  });
  const purpose = goal.mode === 'action' ? `should I ${actionPhrase(goal.profile)} for` : 'do you mean';
  return `Which ${noun} ${purpose}? ${ambiguity.values.length} match what you wrote:\n${lines.join('\n')}\nPlease tell me which one (by its id), and I will carry on.`;
}

/** The refusal of a change to every record at once, with what can be done instead. */
export function bulkRefusal(options: { clause: Clause; tools: readonly ToolProfile[] }): string {
  const { clause, tools } = options;
  return (
    `I won't do that: "${truncate(clause.text, 80)}" asks for a change to many records at once, and I make changes ` +
    'one record at a time, each one you name (by its id, or a customer by name) and each through approval. ' +
    `Name the one record to change and I will do it.${capabilitiesOf(tools, clause.text)}`
  );
}
