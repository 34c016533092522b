/**
 * @module Free text for one action of a task, from the task's own words: a note's text and an issue's title are
 * what the user wrote after the colon (or quoted, or "that …"); an email gets a subject line and a short body
 * addressed to the customer the task is about, with what earlier actions of the task reported; a reason is the
 * task's "because …". Nothing here states a fact the task or a tool result did not.
 */
import type { Knowledge } from './compose-text.js';
import type { ParameterInfo } from './parameters.js';
import type { ToolProfile } from './tool-ranking.js';
import { splitIdentifier } from './vocabulary.js';

const MESSAGE_WORDS = new Set(['body', 'text', 'content', 'contents', 'message', 'note', 'notes', 'comment', 'memo', 'remark', 'remarks', 'html', 'markdown']);
const REASON_WORDS = new Set(['reason', 'why', 'cause', 'explanation']);
const DESCRIPTION_WORDS = new Set(['description', 'details', 'detail', 'problem', 'summary']);
const MAX_TITLE_LENGTH = 100;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sentence(text: string): string {
  const trimmed = capitalise(text.trim());
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function oneLine(text: string): string {
  const flat = capitalise(text.replace(/\s+/g, ' ').trim().replace(/[.!]+$/, ''));
  return flat.length > MAX_TITLE_LENGTH ? `${flat.slice(0, MAX_TITLE_LENGTH - 1)}…` : flat;
}

/** The order the task is about: the one it names, else the one its records agree on. */
function orderOf(knowledge: Knowledge): string | undefined {
  return knowledge.entities.orderIds[0] ?? knowledge.bindings?.anchors.find((anchor) => anchor.kind === 'orderId')?.value;
}

/** The first name of the customer the task is about, when the task or its records name exactly one. */
function firstNameOf(knowledge: Knowledge): string | undefined {
  const name = knowledge.entities.customerNames[0] ?? knowledge.bindings?.anchors.find((anchor) => anchor.kind === 'customerName')?.value;
  return name?.split(' ')[0];
}

/** What the user said to write, for the clause being worked on (or for a task of one action). */
function messageOf(knowledge: Knowledge): string | undefined {
  const clause = knowledge.clause;
  if (clause?.message) return clause.message;
  const single = (knowledge.shape?.actions.length ?? 0) <= 1;
  return single ? knowledge.entities.messages[0] : undefined;
}

/**
 * Writes a free-text parameter of `profile` from the task, or `undefined` when the task gives nothing to write it
 * from (the caller then falls back to a description of the subject and the facts found).
 */
export function composeFreeText(parameter: ParameterInfo, profile: ToolProfile, knowledge: Knowledge): string | undefined {
  const words = splitIdentifier(parameter.name);
  const message = messageOf(knowledge);
  const statements = knowledge.shape?.statements ?? [];
  const sends = profile.verb === 'send';
  const order = orderOf(knowledge);
  if (parameter.kind === 'title') {
    if (sends) {
      if (message && message.split(/\s+/).length >= 4) return oneLine(message);
      return order ? `Your order ${order}` : message ? oneLine(message) : undefined;
    }
    const source = message ?? statements[0];
    return source ? oneLine(source) : undefined;
  }
  if (words.some((word) => REASON_WORDS.has(word))) {
    const clause = knowledge.clause;
    const reason = knowledge.clause?.reason ?? message ?? statements[0] ?? (clause ? `As requested: ${clause.text}` : undefined);
    return reason?.replace(/[.!]+$/, '');
  }
  if (words.some((word) => MESSAGE_WORDS.has(word)) && !words.some((word) => DESCRIPTION_WORDS.has(word))) {
    if (!sends) return message ?? (statements.length > 0 ? statements.map(sentence).join(' ') : undefined);
    const core = message ?? statements[0];
    const done = knowledge.done ?? [];
    if (core === undefined && done.length === 0) return undefined;
    const name = firstNameOf(knowledge);
    const paragraphs = [name ? `Hi ${name},` : 'Hello,', ...(core ? [sentence(core)] : []), ...done.map(sentence)];
    return `${paragraphs.join('\n\n')}\n`;
  }
  if (words.some((word) => DESCRIPTION_WORDS.has(word)) && !words.includes('order') && profile.verb !== 'send') {
    const parts = [message, ...statements].filter((part): part is string => part !== undefined && part !== '');
    return parts.length > 0 ? [...new Set(parts)].map(sentence).join(' ') : undefined;
  }
  return undefined;
}
