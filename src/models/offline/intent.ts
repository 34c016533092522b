/**
 * @module What a task asks for: the action verbs it uses as verbs ("Email the customer", "let them know"),
 * as opposed to nouns and past participles ("the email of…", "has shipped").
 */
import { conceptOf, tokenize } from './vocabulary.js';

/** Concepts that change something; the planner looks for a non-read-only tool when a task asks for one. */
export const ACTION_CONCEPTS: ReadonlySet<string> = new Set([
  'send',
  'create',
  'update',
  'deploy',
  'refund',
  'cancel',
  'delete',
  'close',
  'restart',
  'rollback',
  'troubleshoot',
  'ship',
]);

/** Words that are verbs wherever they stand (in their base form). */
const ALWAYS_VERBS = new Set([
  'send',
  'notify',
  'inform',
  'contact',
  'create',
  'add',
  'append',
  'attach',
  'insert',
  'register',
  'submit',
  'modify',
  'edit',
  'adjust',
  'rename',
  'deploy',
  'cancel',
  'delete',
  'remove',
  'erase',
  'purge',
  'restart',
  'reboot',
  'revert',
  'troubleshoot',
  'diagnose',
  'debug',
  'investigate',
  'rollout',
  'rollback',
  'reimburse',
  'annotate',
  'restock',
]);

/** Words that are verbs only where a command starts ("Email the customer", "…and note that…"). */
const VERBS_IN_COMMAND_POSITION = new Set([
  'email',
  'mail',
  'message',
  'text',
  'note',
  'refund',
  'release',
  'push',
  'record',
  'file',
  'post',
  'open',
  'set',
  'update',
  'change',
  'mark',
  'flag',
  'close',
  'resolve',
  'leave',
  'write',
  'make',
  'void',
  'raise',
  'log',
  'tell',
  'reply',
  'respond',
  'alert',
  'promote',
  'undo',
  'analyze',
  'analyse',
  'correct',
  'bounce',
  'put',
  'comment',
  'ship',
  'dispatch',
  'escalate',
  'report',
]);

/** Words that open a command without being its verb: "please", "can you", "I need you to". */
const COMMAND_OPENERS = new Set([
  'please',
  'kindly',
  'pls',
  'then',
  'and',
  'also',
  'now',
  'just',
  'so',
  'ok',
  'okay',
  'hey',
  'hi',
  'can',
  'could',
  'would',
  'will',
  'you',
  'i',
  'we',
  'need',
  'want',
  'to',
  'go',
  'ahead',
  'lets',
  "let's",
  'us',
  'quickly',
  'first',
]);

/** Verbs that send a message: as commands they mean the `send` concept, not the thing (`email`). */
const MESSAGE_VERBS = new Set(['email', 'mail', 'message', 'text', 'tell', 'reply', 'respond', 'alert']);

const WH_QUESTION = /^(?:what|what's|whats|which|who|whose|where|when|why|how)\b/i;

/** Splits a task into clauses: sentences, and parts joined by dashes, semicolons or ", then". */
export function clausesOf(text: string): string[] {
  return text
    .split(/[.!?;\n]+(?:\s+|$)|\s+[—–-]\s+|:\s+|,\s*(?:and\s+|then\s+)+/)
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '');
}

/** Verbs that create a record whatever their own concept: "note", "log an issue", "put a note", "comment". */
const CREATE_VERBS = new Set(['note', 'log', 'put', 'annotate', 'comment', 'report', 'escalate']);
/** Verbs that change a record: "restock" an item (adjust its stock). */
const UPDATE_VERBS = new Set(['restock']);

/** The action concept of a verb, with message verbs ("email", "text") meaning `send` and "note" meaning `create`. */
export function verbConcept(word: string): string {
  if (MESSAGE_VERBS.has(word)) return 'send';
  if (CREATE_VERBS.has(word)) return 'create';
  if (UPDATE_VERBS.has(word)) return 'update';
  return conceptOf(word);
}

/**
 * The action concepts a task asks for (`send`, `create`, `deploy`, …), in order of appearance. A word counts
 * when it is an unambiguous verb in its base form, or an ambiguous one ("email", "note", "refund") at the start
 * of a command. "Tell me" and "let me know" ask for an answer, not a message.
 */
export function requestedActions(task: string): Set<string> {
  const actions = new Set<string>();
  for (const clause of clausesOf(task)) {
    // "What emails did we send …?" asks about an action; it does not ask for one.
    if (WH_QUESTION.test(clause.trim())) continue;
    const words = tokenize(clause);
    let commandStart = true;
    for (const [index, word] of words.entries()) {
      const next = words[index + 1];
      const addressedToUs = next === 'me' || next === 'us';
      const concept = verbConcept(word);
      if (
        ACTION_CONCEPTS.has(concept) &&
        !addressedToUs &&
        (ALWAYS_VERBS.has(word) || (commandStart && VERBS_IN_COMMAND_POSITION.has(word)))
      ) {
        actions.add(concept);
      }
      // After "and"/"to" a new command may start: "look it up and email them", "I want to refund it".
      commandStart = COMMAND_OPENERS.has(word);
    }
  }
  return actions;
}

/** Whether a task reads as a question rather than a request ("what is…?", "who…", "is … shipped?"). */
export function isQuestion(task: string): boolean {
  const trimmed = task.trim();
  return (
    /\?\s*$/.test(trimmed) ||
    /^(?:what|what's|whats|who|whose|which|where|when|why|how|is|are|was|were|does|do|did|has|have|tell me|show me)\b/i.test(
      trimmed,
    )
  );
}

/** Verbs that start a request to look something up ("check it", "find her order"). */
const READ_COMMANDS = new Set(['check', 'look', 'lookup', 'find', 'get', 'show', 'list', 'see', 'verify', 'confirm', 'search', 'fetch', 'read']);

/**
 * The concept of the command a text starts with, after openers such as "please", "then", "can you": `send` for
 * "then email her", `get` for "check it"; `undefined` when it does not start with a command.
 */
export function leadingCommand(text: string): string | undefined {
  const words = tokenize(text);
  const first = words.find((word) => !COMMAND_OPENERS.has(word));
  if (first === undefined) return undefined;
  const concept = verbConcept(first);
  if (ACTION_CONCEPTS.has(concept) && (ALWAYS_VERBS.has(first) || VERBS_IN_COMMAND_POSITION.has(first))) return concept;
  return READ_COMMANDS.has(first) ? 'get' : undefined;
}
