/**
 * @module Which records a task is about. The task's own ids, names, addresses and phone numbers are anchors; a
 * record that mentions an anchor is relevant, and a value that relevant records agree on (the one customer a
 * search found, the email of the order's customer) becomes an anchor in turn. Values are only ever taken from the
 * task or from relevant records, so the planner never acts on a record it merely saw in a listing.
 */
import type { Entities } from './entities.js';
import { mentions, RECORD_KINDS, type RecordKind, type ToolRecord } from './records.js';
import { isStopword, stem } from './vocabulary.js';

/** A value the task is known to be about, and where it came from. */
export interface Anchor {
  readonly kind: RecordKind | 'nameFragment';
  readonly value: string;
  /** `task` when the user wrote it, `found` when relevant records agreed on it. */
  readonly origin: 'task' | 'found';
}

/** The task's anchors and the records they make relevant. */
export interface Bindings {
  readonly anchors: readonly Anchor[];
  readonly relevant: readonly ToolRecord[];
}

/** Kinds whose one value among relevant records is taken as the task's own (the customer behind an order). */
const BINDABLE: readonly RecordKind[] = ['customerId', 'email', 'customerName', 'orderId', 'sku'];
const MAX_ROUNDS = 4;

/** The values the task itself states, by kind. */
export function statedValues(entities: Entities, kind: RecordKind): readonly string[] {
  switch (kind) {
    case 'orderId':
      return entities.orderIds;
    case 'customerId':
      return entities.customerIds;
    case 'customerName':
      return entities.customerNames;
    case 'email':
      return entities.emails;
    case 'phone':
      return entities.phones;
    case 'sku':
      return entities.skus;
    case 'issueId':
      return entities.issueIds.map((id) => id.replace(/^#/, ''));
  }
}

function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * Whether a record is about an anchor: it mentions it (as a whole word; phone numbers by their digits), or it is the
 * whole result of a call made with it (`find_buyer_email(orderNumber: XYZ-790)` is about XYZ-790 even if it does not
 * repeat it). Items of a listing count only by what they mention: a search for "Lisa Park" also lists Lisa Parker.
 */
export function matchesAnchor(record: ToolRecord, anchor: Anchor): boolean {
  if (record.whole && anchor.kind !== 'nameFragment' && record.input.some((value) => value.toLowerCase() === anchor.value.toLowerCase() || value.toLowerCase().endsWith(`:${anchor.value.toLowerCase()}`))) {
    return true;
  }
  if (anchor.kind === 'phone') {
    const wanted = digits(anchor.value);
    return (record.values.get('phone') ?? []).some((phone) => digits(phone).endsWith(wanted)) || digits(record.text).includes(wanted);
  }
  return mentions(record.text, anchor.value) || (record.values.get(anchor.kind as RecordKind) ?? []).some((value) => value.toLowerCase() === anchor.value.toLowerCase());
}

/** The anchors a task states. */
export function taskAnchors(entities: Entities): Anchor[] {
  const anchors: Anchor[] = [];
  for (const kind of RECORD_KINDS) for (const value of statedValues(entities, kind)) anchors.push({ kind, value, origin: 'task' });
  for (const value of entities.nameFragments) anchors.push({ kind: 'nameFragment', value, origin: 'task' });
  return anchors;
}

/** Distinct values of `kind` in `records`, in order of appearance. */
export function valuesIn(records: readonly ToolRecord[], kind: RecordKind): string[] {
  const seen = new Map<string, string>();
  for (const record of records) {
    for (const value of record.values.get(kind) ?? []) if (!seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
  }
  return [...seen.values()];
}

/**
 * Grows the task's anchors over the records found so far (up to a few rounds): a kind the task does not state,
 * on which the relevant records agree, joins the anchors; the result lists the records that mention an anchor.
 */
export function bind(entities: Entities, records: readonly ToolRecord[]): Bindings {
  const anchors = taskAnchors(entities);
  // A follow-up that names nothing ("now send them a confirmation") is about what the conversation found so far.
  const about = (record: ToolRecord) => anchors.length === 0 || anchors.some((anchor) => matchesAnchor(record, anchor));
  let relevant: ToolRecord[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    relevant = records.filter(about);
    let grew = false;
    for (const kind of BINDABLE) {
      if (anchors.some((anchor) => anchor.kind === kind)) continue;
      const values = valuesIn(relevant, kind);
      if (values.length === 1) {
        anchors.push({ kind, value: values[0]!, origin: 'found' });
        grew = true;
      }
    }
    if (!grew) break;
  }
  return { anchors, relevant };
}

/** The value the task means for `kind`, and the others it might mean. */
export interface Candidates {
  /** Distinct values, most likely first: the task's own, else those of relevant records. */
  readonly values: readonly string[];
  /** Whether they came from the task itself. */
  readonly stated: boolean;
}

/** Candidate values of `kind`: the task's own, else the anchors found, else every value relevant records mention. */
export function candidatesFor(kind: RecordKind, entities: Entities, bindings: Bindings): Candidates {
  const stated = statedValues(entities, kind);
  if (stated.length > 0) return { values: stated, stated: true };
  const found = bindings.anchors.filter((anchor) => anchor.kind === kind).map((anchor) => anchor.value);
  if (found.length > 0) return { values: found, stated: false };
  return { values: valuesIn(bindings.relevant, kind), stated: false };
}

const LATEST = /\b(?:latest|last|newest|most recent|recent|current)\b/i;
const EARLIEST = /\b(?:first|oldest|earliest)\b/i;
const ISO_DATE = /\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?/g;

/** The text of every relevant record that mentions a candidate value. */
function textOf(value: string, kind: RecordKind, relevant: readonly ToolRecord[]): string {
  return relevant
    .filter((record) => (record.values.get(kind) ?? []).some((candidate) => candidate.toLowerCase() === value.toLowerCase()))
    .map((record) => record.text)
    .join('\n');
}

function firstDate(text: string): string {
  return [...text.matchAll(ISO_DATE)].map((match) => match[0]).sort().at(0) ?? '';
}

function wordIn(text: string, word: string): boolean {
  return new RegExp(`\\b${word}(?:s|es|ed)?\\b`, 'i').test(text);
}

/**
 * Narrows several candidates with what the task says about the one it means: "latest"/"last" (the newest date
 * its records show), "first"/"oldest", and words that some candidates' records hold and others do not ("the
 * paid one", "the ring order"). `words` are the task's own words that may qualify (no ids, no verbs).
 */
export function narrow(options: {
  kind: RecordKind;
  values: readonly string[];
  relevant: readonly ToolRecord[];
  reference: string;
  words: readonly string[];
}): string[] {
  const { kind, values, relevant, reference, words } = options;
  if (values.length <= 1) return [...values];
  const texts = new Map(values.map((value) => [value, textOf(value, kind, relevant)]));
  let remaining = [...values];
  for (const word of words) {
    const having = remaining.filter((value) => wordIn(texts.get(value) ?? '', word));
    if (having.length > 0 && having.length < remaining.length) remaining = having;
  }
  if (remaining.length > 1 && (LATEST.test(reference) || EARLIEST.test(reference))) {
    // The first date a record states is when it was created or placed; later ones are events after it.
    const dated = remaining.map((value) => ({ value, date: firstDate(texts.get(value) ?? '') })).filter((entry) => entry.date !== '');
    if (dated.length === remaining.length) {
      dated.sort((left, right) => left.date.localeCompare(right.date));
      remaining = [LATEST.test(reference) ? dated.at(-1)!.value : dated[0]!.value];
    }
  }
  return remaining;
}

/** Words of a reference that might single out a record: not stopwords, ids, numbers or very short words. */
export function qualifierWords(reference: string, exclude: ReadonlySet<string>): string[] {
  const words = reference
    .replace(/\b[A-Z]{1,5}-[A-Z0-9-]+\b|\S+@\S+/g, ' ')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word.length >= 3 && !isStopword(word) && !exclude.has(word) && !exclude.has(stem(word)));
  return [...new Set(words)];
}
