/**
 * @module Free text the offline planner writes into tool arguments (`order_details`, `body`, `title`, …): what the
 * user spelled out when they did, else the entity the task is about plus the facts earlier tools returned.
 */
import type { Bindings } from './bindings.js';
import type { Entities } from './entities.js';
import type { Fact } from './facts.js';
import type { ToolRecord } from './records.js';
import type { Clause, TaskShape } from './task-steps.js';
import { clausesOf, isQuestion, requestedActions } from './intent.js';
import type { ParameterInfo } from './parameters.js';
import { splitIdentifier } from './vocabulary.js';

/** What the planner knows when it fills arguments. */
export interface Knowledge {
  /** The user's request. */
  readonly task: string;
  /** Entities the request mentions. */
  readonly entities: Entities;
  /** Facts from this task's successful tool results, most recent result first. */
  readonly facts: readonly Fact[];
  /** Records of this task's successful tool results (and of earlier turns when the task names nothing). */
  readonly records?: readonly ToolRecord[];
  /** The task's anchors and the records they make relevant (computed from `records` when left out). */
  readonly bindings?: Bindings;
  /** The task read clause by clause (computed from `task` when left out). */
  readonly shape?: TaskShape;
  /** The clause whose action is being filled in, for a task of several actions. */
  readonly clause?: Clause;
  /** First lines of the results of the actions this task already did, oldest first ("Refunded $30.00 on …"). */
  readonly done?: readonly string[];
}

const MAX_FACTS_IN_TEXT = 6;
const MAX_FACT_LENGTH = 80;
const MAX_TITLE_LENGTH = 100;
/** Parameters that carry a message written for someone: the user's own words fit them best. */
const MESSAGE_WORDS = new Set([
  'body',
  'text',
  'content',
  'contents',
  'message',
  'note',
  'notes',
  'comment',
  'memo',
  'html',
  'markdown',
]);

/** "Order XYZ-789", "Customer Lisa Park", … — the thing the task is about, or '' when it names none. */
export function subjectOf(knowledge: Knowledge): string {
  const { entities } = knowledge;
  const factValues = knowledge.facts.filter((fact) => fact.key === 'order_id').map((fact) => String(fact.value));
  // With several orders named, the one a tool found is the one the work was done for. An order only seen in a
  // listing is not the subject: only the one the task's records agree on is.
  const found = knowledge.bindings?.anchors.find((anchor) => anchor.kind === 'orderId' && anchor.origin === 'found')?.value;
  const orderId = entities.orderIds.find((id) => factValues.includes(id)) ?? entities.orderIds[0] ?? found;
  if (orderId !== undefined) return `Order ${orderId}`;
  if (entities.issueIds[0]) return `Issue ${entities.issueIds[0]}`;
  const customer = entities.customerNames[0] ?? entities.customerIds[0];
  if (customer) return `Customer ${customer}`;
  if (entities.skus[0]) return `Item ${entities.skus[0]}`;
  if (entities.branches[0]) return `Branch ${entities.branches[0]}`;
  return '';
}

/** Clauses of the task that state something rather than ask for something: "Order XYZ-789 has shipped". */
function statements(task: string): string[] {
  return clausesOf(task).filter((clause) => requestedActions(clause).size === 0 && !isQuestion(clause));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function factLines(knowledge: Knowledge, exclude: string): string[] {
  const lines: string[] = [];
  const seenValues = new Set<string>();
  for (const fact of knowledge.facts) {
    const value = String(fact.value);
    const lower = value.toLowerCase();
    if (value.includes('@') || value.length > MAX_FACT_LENGTH || exclude.toLowerCase().includes(lower)) continue;
    if (seenValues.has(lower)) continue;
    seenValues.add(lower);
    lines.push(`${splitIdentifier(fact.key).join(' ')}: ${value}`);
    if (lines.length >= MAX_FACTS_IN_TEXT) break;
  }
  return lines;
}

/** A short title: the task's first statement, else its subject, else its first sentence. */
function composeTitle(knowledge: Knowledge): string {
  const subject = subjectOf(knowledge);
  const candidate = statements(knowledge.task)[0] ?? (subject || (clausesOf(knowledge.task)[0] ?? knowledge.task));
  const title = capitalise(candidate.trim());
  return title.length > MAX_TITLE_LENGTH ? `${title.slice(0, MAX_TITLE_LENGTH - 1)}…` : title;
}

/**
 * Writes the value of a free-text parameter. Titles and subjects get one short line; message-like parameters
 * (`body`, `text`, `note`, …) get the words the user quoted when there are any; everything else (`order_details`,
 * `summary`, `reason`, …) gets the subject ("Order XYZ-789"), the task's own statement about it when it made one,
 * and the facts earlier tools returned (names, items, tracking; never email addresses).
 */
export function composeText(parameter: ParameterInfo, knowledge: Knowledge): string {
  if (parameter.kind === 'title') return composeTitle(knowledge);
  const quoted = knowledge.entities.messages[0];
  if (quoted && splitIdentifier(parameter.name).some((word) => MESSAGE_WORDS.has(word))) return quoted;
  const subject = subjectOf(knowledge);
  const id = subject.split(' ').slice(1).join(' ');
  const statement = statements(knowledge.task).find((clause) => id !== '' && clause.includes(id));
  // "XYZ-789 went out today" reads better as "Order XYZ-789 went out today".
  let lead = statement
    ? capitalise(statement.startsWith(id) ? `${subject}${statement.slice(id.length)}` : statement)
    : subject;
  if (lead === '') lead = capitalise(knowledge.task.trim());
  const facts = factLines(knowledge, lead);
  const sentence = /[.!?]$/.test(lead) ? lead : `${lead}.`;
  return facts.length > 0 ? `${sentence} ${capitalise(facts.join('; '))}.` : sentence;
}
