/**
 * @module The sentences the offline planner says: what it is about to do, the summary after an action, the answer
 * to a question, a clarifying question, an error explained plainly, and what it cannot do without a real model.
 */
import type { ToolCall } from '../types.js';
import { type Knowledge, subjectOf } from './compose-text.js';
import type { CallRecord } from './conversation.js';
import { extractEntities } from './entities.js';
import { factsFromOutput, statedFacts } from './facts.js';
import { displayName, type ParameterInfo, type ParameterKind } from './parameters.js';
import type { ToolProfile } from './tool-ranking.js';
import { conceptsOfIdentifier, isStopword, pastTense, splitIdentifier } from './vocabulary.js';

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
  date: 'date',
  entityId: 'id',
  query: 'search term',
  title: 'title',
  text: 'text',
  other: '',
};

/** Examples offered in clarifying questions when the schema's description has none. */
const KIND_EXAMPLES: Partial<Record<ParameterKind, string>> = {
  email: 'name@example.com',
  orderId: 'XYZ-789',
  customerId: 'C-1001',
  customerName: 'Lisa Park',
  sku: 'SKU-RING-001',
  issueId: 'ISS-42',
  branch: 'main',
  environment: 'staging',
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
  const [verb = '', ...rest] = objectWords(profile);
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

/** The summary after the requested action succeeded: what was done for whom, then every call and its result. */
export function actionSummary(options: {
  goal: ToolProfile;
  done: CallRecord;
  calls: readonly CallRecord[];
  knowledge: Knowledge;
}): string {
  const { goal, done, calls, knowledge } = options;
  const argument = (kind: ParameterKind): string | undefined => {
    const parameter = goal.parameters.find((candidate) => candidate.kind === kind);
    const value = parameter ? done.call.input[parameter.name] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const branch = argument('branch');
  const environment = argument('environment');
  const address = argument('email');
  const what = branch && objectWords(goal).length === 1 ? ` ${branch}` : forSubject(knowledge);
  const where = environment ? ` to ${environment}` : '';
  const to = address ? ` to ${address}` : '';
  return `${pastPhrase(goal)}${what}${where}${to}.\n\nWhat I did:\n${stepList(calls)}`;
}

/** The answer to a question: the fact it asked about when one stands out, then the calls that found it. */
export function questionAnswer(options: {
  done: CallRecord;
  calls: readonly CallRecord[];
  knowledge: Knowledge;
  concepts: ReadonlySet<string>;
}): string {
  const { done, calls, knowledge, concepts } = options;
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
  const headline = best
    ? `The ${splitIdentifier(best.key).join(' ')}${forSubject(knowledge)} is ${String(best.value)}.`
    : `Here is what ${displayName(done.call.name)} returned${forSubject(knowledge)}: ${truncate(done.result?.output ?? '', MAX_RESULT_LENGTH)}`;
  return `${headline}\n\nWhat I did:\n${stepList(calls)}`;
}

/** An example value for a parameter: from its description ("e.g. XYZ-789", "(C-1001)"), else a typical one. */
function exampleFor(parameter: ParameterInfo): string | undefined {
  const stated = /e\.g\.,?\s*([^\s,;)]+)/i.exec(parameter.description)?.[1];
  if (stated) return stated;
  const ids = extractEntities(parameter.description);
  return (
    ids.orderIds[0] ??
    ids.customerIds[0] ??
    ids.issueIds[0] ??
    ids.skus[0] ??
    ids.emails[0] ??
    KIND_EXAMPLES[parameter.kind]
  );
}

/** A clarifying question for a value nothing could supply; `alternative` is another value that would also do. */
export function clarifyingQuestion(options: {
  parameter: ParameterInfo;
  goal: ToolProfile;
  mode: 'action' | 'question';
  alternative?: ParameterInfo;
}): string {
  const { parameter, goal, mode, alternative } = options;
  const label = KIND_LABELS[parameter.kind] || splitIdentifier(parameter.name).join(' ');
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
export function outOfScopeAnswer(options: { task: string; tools: readonly ToolProfile[] }): string {
  const { task, tools } = options;
  const ordered = [...tools.filter((tool) => !tool.readOnly), ...tools.filter((tool) => tool.readOnly)];
  const capabilities = ordered.slice(0, MAX_CAPABILITIES).map((tool) => {
    const sentence =
      tool.spec.description
        .split(/(?<=\.)\s/)[0]
        ?.replace(/\.$/, '')
        .trim() ?? '';
    const what = sentence === '' ? actionPhrase(tool) : sentence.charAt(0).toLowerCase() + sentence.slice(1);
    return `${what} (${displayName(tool.spec.name)})`;
  });
  const can =
    capabilities.length > 0
      ? ` With the connected tools I can, for example: ${capabilities.join('; ')}.`
      : ' No tools are connected right now.';
  return (
    `I can't do that offline: none of the connected tools matches "${truncate(task, 80)}".${can}` +
    ' For requests beyond these, set OPENAI_API_KEY (or ANTHROPIC_API_KEY) or choose a model with --model.'
  );
}
