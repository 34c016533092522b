/**
 * @module The shape of a task: its clauses in order ("refund $30 on XYZ-789", "email her that it is done"), which
 * of them ask for an action, the words each spells out for that action (a note's text, an email's message, a
 * reason), what the task states as fact ("Lisa Park says her ring never arrived"), and whether it asks for a change
 * to every record at once.
 */
import { isQuestion, leadingCommand, requestedActions } from './intent.js';

/** One clause of a task. */
export interface Clause {
  /** The clause as written. */
  readonly text: string;
  /** The clause without its message: the words that say what to act on. */
  readonly reference: string;
  /** What the user spelled out for the action (after a colon, quoted, "saying …", "that …"), if anything. */
  readonly message: string | undefined;
  /** Why, when the clause says ("because it arrived damaged"). */
  readonly reason: string | undefined;
  /** Action concepts the clause asks for (`send`, `create`, `refund`, …). */
  readonly verbs: ReadonlySet<string>;
}

/** A task read clause by clause. */
export interface TaskShape {
  readonly clauses: readonly Clause[];
  /** Clauses that ask for an action, in the order the task gives them. */
  readonly actions: readonly Clause[];
  /** Clauses that state something ("XYZ-789 went out today"). */
  readonly statements: readonly string[];
  /** A clause asking to change every record of a kind ("delete every customer"), if there is one. */
  readonly bulk: Clause | undefined;
}

/** Action concepts that change or send something, which the planner never does to every record at once. */
const BULK_GUARDED = new Set(['delete', 'cancel', 'refund', 'close', 'update', 'send', 'create', 'restart', 'rollback']);
const QUANTIFIER = /\b(?:all|every|each|everyone|everybody|everything|entire|whole)\b/i;
const SENTENCE_BREAK = /(?<=[.!?])\s+(?=[A-Z"'“])|\n+|;\s*|\s+[—–]\s+|\s+-\s+/;
const JOINER = /,?\s+(?:and\s+then|and\s+also|and|then|also)\s+|,\s+/gi;
const QUOTED = /"([^"]{2,})"|“([^”]{2,})”/;
const SAYING = /\b(?:saying|that says|which says|with the (?:text|message|note|body)|reading)\s*:?\s*(.+)$/i;
const THAT = /\b(?:that|about|regarding|re:)\s+(.{3,})$/i;
const BECAUSE = /\b(?:because|since|as|due to|reason:?|for the reason)\s+(.{3,})$/i;

function trimMessage(text: string): string {
  return text.trim().replace(/^["'“]+|["'”]+$/g, '').replace(/[.!]+$/, '').trim();
}

/** Splits a sentence at "and"/"then"/commas where a new command starts ("… and email her …"). */
function splitCommands(sentence: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const match of sentence.matchAll(JOINER)) {
    const end = match.index;
    const rest = sentence.slice(end + match[0].length);
    if (leadingCommand(rest) === undefined) continue;
    parts.push(sentence.slice(start, end));
    start = end + match[0].length;
  }
  parts.push(sentence.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function clauseOf(text: string, colonMessage: string | undefined): Clause {
  const verbs = requestedActions(text);
  let message = colonMessage;
  let reference = text;
  const quoted = QUOTED.exec(text);
  const saying = SAYING.exec(text);
  const that = verbs.size > 0 ? THAT.exec(text) : null;
  if (message === undefined && quoted) {
    message = quoted[1] ?? quoted[2];
    reference = text.replace(quoted[0], ' ');
  } else if (message === undefined && saying) {
    message = saying[1];
    reference = text.slice(0, saying.index);
  } else if (message === undefined && that) {
    message = that[1];
    reference = text.slice(0, that.index);
  }
  const because = BECAUSE.exec(message ?? text);
  return {
    text,
    reference: reference.trim(),
    message: message === undefined ? undefined : trimMessage(message),
    reason: because ? trimMessage(because[1] ?? '') : undefined,
    verbs,
  };
}

/** Reads a task into clauses. Pure; never throws. */
export function shapeOf(task: string): TaskShape {
  const clauses: Clause[] = [];
  for (const sentence of task.split(SENTENCE_BREAK).map((part) => part.trim()).filter((part) => part !== '')) {
    // "Put a note on XYZ-789: customer asked for gift wrapping" — what follows the colon is the message, whole.
    const colon = /:\s+/.exec(sentence);
    const head = colon ? sentence.slice(0, colon.index) : sentence;
    // "…: gift receipt requested, then email the customer": a new command after the message ends it.
    const [colonMessage, ...after] = colon ? splitCommands(sentence.slice(colon.index + colon[0].length)) : [];
    const parts = splitCommands(head);
    parts.forEach((part, index) => clauses.push(clauseOf(part, index === parts.length - 1 ? colonMessage : undefined)));
    for (const part of after) clauses.push(clauseOf(part, undefined));
  }
  const actions = clauses.filter((clause) => clause.verbs.size > 0);
  const statements = clauses
    .filter((clause) => clause.verbs.size === 0 && !isQuestion(clause.text) && leadingCommand(clause.text) === undefined)
    .map((clause) => clause.text);
  const bulk = actions.find(
    (clause) => [...clause.verbs].some((verb) => BULK_GUARDED.has(verb)) && QUANTIFIER.test(clause.reference),
  );
  return { clauses, actions, statements, bulk };
}
