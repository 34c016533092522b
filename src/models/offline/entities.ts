/**
 * @module Entity extraction for the offline planner: the ids, names, addresses and values an operations
 * task mentions, pulled out of plain text with patterns (no model, no network).
 */
import { isKnownWord } from './vocabulary.js';

/** What a text mentions, each list in order of first appearance and without duplicates. */
export interface Entities {
  /** `XYZ-789`, `ORD-1234`; also `order 1234` → `1234`. */
  readonly orderIds: readonly string[];
  /** `C-1001`, `CUST-42`. */
  readonly customerIds: readonly string[];
  /** Capitalised first + last names: `Lisa Park` (also from "customer Lisa Park", "Lisa Park's"). */
  readonly customerNames: readonly string[];
  readonly emails: readonly string[];
  /** `SKU-RING-001`, `RNG-14K-07` (three or more dash-separated parts). */
  readonly skus: readonly string[];
  /** `ISS-42`, `#42` (as written). */
  readonly issueIds: readonly string[];
  /** `main`, `feature/x`, and whatever follows "branch". */
  readonly branches: readonly string[];
  /** Normalised: `staging`, `production` (from prod), `development` (from dev), `qa`, `uat`, … */
  readonly environments: readonly string[];
  /** Money amounts in the text's currency: `$12.50` → 12.5. */
  readonly amounts: readonly number[];
  /** As written: `2025-03-01`, `today`, `March 3`. */
  readonly dates: readonly string[];
  /** Message text the user spelled out: quoted, or after "saying" or a colon. */
  readonly messages: readonly string[];
  /** Phone numbers as written: `+1-415-555-0101`, `555-0101`. */
  readonly phones: readonly string[];
  /** A single capitalised word that reads as a first or last name ("orders of Lisa"): part of a name to search for. */
  readonly nameFragments: readonly string[];
}

const ORDER_ID = /(?<![\w-])([A-Z]{2,5}-\d{2,})(?![\w-])/g;
const ORDER_NUMBER = /\border\s*(?:#|no\.?\s*|number\s*)?([a-z]{2,5}-\d{2,}|\d{3,})\b/gi;
const NOT_ORDER_PREFIXES = new Set(['SKU', 'ISS', 'ISSUE', 'INC', 'BUG', 'TICKET', 'C', 'CUS', 'CUST', 'PR']);
const CUSTOMER_ID = /(?<![\w-])((?:C|CUS|CUST)-\d{2,})(?![\w-])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const SKU_PREFIXED = /(?<![\w-])(SKU-[A-Z0-9]+(?:-[A-Z0-9]+)*)(?![\w-])/g;
const SKU_SEGMENTED = /(?<![\w-])([A-Z]{2,5}(?:-[A-Z0-9]{1,8}){2,})(?![\w-])/g;
const ISSUE_ID = /(?<![\w-])((?:ISS|ISSUE|INC|BUG|TICKET)-\d+)(?![\w-])/g;
const HASH_NUMBER = /(?<![\w&])#(\d+)\b/g;
const BRANCH_PATH = /(?<![\w/])((?:feature|feat|release|hotfix|bugfix|fix|chore)\/[\w.\-/]*[\w])/g;
const BRANCH_AFTER = /\bbranch\s+[`'"]?([\w.\-/]+)/gi;
const BRANCH_BEFORE = /[`'"]?([\w.\-/]+)[`'"]?\s+branch\b/gi;
const BRANCH_DEPLOYED = /\bdeploy(?:ing)?\s+[`'"]?([\w.\-/]+)[`'"]?\s+(?:to|on|onto|into)\b/gi;
const WELL_KNOWN_BRANCH = /\b(main|master|develop|trunk)\b/g;
const ENVIRONMENT = /\b(staging|stage|production|prod|development|dev|qa|uat|preview|sandbox)\b/gi;
const ENVIRONMENT_ALIASES: Readonly<Record<string, string>> = {
  stage: 'staging',
  prod: 'production',
  dev: 'development',
};
const AMOUNT_SYMBOL = /(?:\$|€|£|\bUSD\s?|\bEUR\s?)\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)/g;
const AMOUNT_WORD = /\b(\d+(?:\.\d+)?)\s?(?:USD|EUR|dollars?|euros?)\b/gi;
const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE = new RegExp(
  `\\b(\\d{4}-\\d{2}-\\d{2}|today|yesterday|tomorrow|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:${MONTHS})(?:\\s+\\d{4})?)\\b`,
  'gi',
);
const QUOTED = /"([^"]{3,})"|“([^”]{3,})”|(?<=^|[\s:(])'([^']{3,}?)'(?=$|[\s.,;:!?)])/g;
const SAYING = /\b(?:saying|that says|which says|reading|with the (?:text|message|note|body))\s*:?\s*(.{3,})$/im;
const AFTER_COLON = /^[^:\n]{3,80}:\s+([^\n]{3,})$/m;
const PHONE = /(?<![\w-])(\+?\d{1,3}[ .-]\d{2,4}[ .-]\d{3,4}[ .-]\d{4}|\+?\d{1,3}[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}|\(\d{3}\)\s?\d{3}-\d{4}|\d{3,4}[ -]\d{4})(?![\w-])/g;
const CAPITALISED_WORD = /[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?/g;
/** Capitalised words that start sentences or name things but are not people. */
const NOT_NAMES = new Set(
  (
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august ' +
    'september october november december mr mrs ms dr sir madam dear deckhand hi hello hey thanks ok okay yes no'
  ).split(' '),
);
/** Words after which a capitalised pair is a name even if its words are also ordinary words ("customer Mark Bell"). */
const NAME_INTRODUCERS = /\b(?:customer|client|buyer|named|called)\s+$/i;

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

function captures(text: string, pattern: RegExp, group = 1): string[] {
  return [...text.matchAll(pattern)].map((match) => match[group] ?? '').filter((value) => value !== '');
}

function orderIds(text: string): string[] {
  const explicit = captures(text, ORDER_ID).filter((id) => !NOT_ORDER_PREFIXES.has(id.split('-')[0] ?? ''));
  const introduced = captures(text, ORDER_NUMBER)
    .map((id) => id.toUpperCase())
    .filter((id) => !NOT_ORDER_PREFIXES.has(id.split('-')[0] ?? ''));
  return unique([...explicit, ...introduced]);
}

function issueIds(text: string): string[] {
  const hashes = [...text.matchAll(HASH_NUMBER)]
    // "order #1234" is an order number, not an issue.
    .filter((match) => !/\border\s*$/i.test(text.slice(0, match.index)))
    .map((match) => `#${match[1]}`);
  return unique([...captures(text, ISSUE_ID), ...hashes]);
}

function adjacent(text: string, first: RegExpExecArray, second: RegExpExecArray): boolean {
  return /^ +$/.test(text.slice(first.index + first[0].length, second.index));
}

/** Pairs of adjacent capitalised words where neither is an ordinary word: `Lisa Park`. */
function personNames(text: string): string[] {
  const words = [...text.matchAll(CAPITALISED_WORD)];
  const names: string[] = [];
  for (let index = 0; index + 1 < words.length; index++) {
    const first = words[index]!;
    const second = words[index + 1]!;
    if (!adjacent(text, first, second)) continue;
    // "Ask Lisa Park": a sentence-initial word before a full name is a verb, not a first name.
    const third = words[index + 2];
    if (third && adjacent(text, second, third) && /(?:^|[.!?]\s*)$/.test(text.slice(0, first.index))) continue;
    const introduced = NAME_INTRODUCERS.test(text.slice(0, first.index));
    const ordinary = (word: string) => NOT_NAMES.has(word.toLowerCase()) || (!introduced && isKnownWord(word));
    if (ordinary(first[0]) || ordinary(second[0])) continue;
    names.push(`${first[0]} ${second[0]}`);
    index++;
  }
  return unique(names);
}

/** Capitalised words inside a sentence (not its first word) that are neither ordinary words nor part of a full name. */
function nameFragments(text: string, fullNames: readonly string[]): string[] {
  const inNames = new Set(fullNames.flatMap((name) => name.split(' ')));
  const fragments: string[] = [];
  for (const match of text.matchAll(CAPITALISED_WORD)) {
    const word = match[0];
    if (inNames.has(word) || NOT_NAMES.has(word.toLowerCase()) || isKnownWord(word)) continue;
    if (/(?:^|[.!?:]\s*|["'“(]\s*)$/.test(text.slice(0, match.index))) continue;
    // Part of an id or an address (`XYZ-789`, `Lisa.Park@…`) is not a name.
    if (/[\w.@-]$/.test(text.slice(0, match.index)) || /^[\w@-]/.test(text.slice(match.index + word.length))) continue;
    fragments.push(word);
  }
  return unique(fragments);
}

function branches(text: string): string[] {
  // "deploy branch x": the word beside "branch" is a branch only when it is not an ordinary word.
  const rejected = (name: string) => !/[/_\d-]/.test(name) && isKnownWord(name);
  const environments = new Set(captures(text, ENVIRONMENT).map((name) => name.toLowerCase()));
  const found = [
    ...captures(text, BRANCH_PATH),
    ...captures(text, BRANCH_AFTER),
    ...captures(text, BRANCH_BEFORE),
    ...captures(text, BRANCH_DEPLOYED),
    ...captures(text, WELL_KNOWN_BRANCH),
  ].filter((name) => !rejected(name) && !environments.has(name.toLowerCase()));
  return unique(found.map((name) => name.replace(/[.,;:]+$/, '')));
}

function amounts(text: string): number[] {
  const values = [...captures(text, AMOUNT_SYMBOL), ...captures(text, AMOUNT_WORD)];
  return unique(values.map((value) => Number(value.replaceAll(',', ''))).filter((value) => Number.isFinite(value)));
}

function messages(text: string): string[] {
  const quoted = [...text.matchAll(QUOTED)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
  const saying = SAYING.exec(text)?.[1];
  const afterColon = AFTER_COLON.exec(text)?.[1];
  return unique(
    [...quoted, saying ?? '', afterColon ?? ''].map((value) => value.trim()).filter((value) => value !== ''),
  );
}

/**
 * Pulls the entities an operations task or tool result mentions. Pure and deterministic; never throws.
 *
 * Ids are recognised by shape (`XYZ-789` is an order, `C-1001` a customer, `SKU-…` or three-part codes
 * are SKUs, `ISS-42`/`#42` issues), so an id of an unusual shape may be missed or misfiled.
 */
export function extractEntities(text: string): Entities {
  const names = personNames(text);
  return {
    orderIds: orderIds(text),
    customerIds: unique(captures(text, CUSTOMER_ID)),
    customerNames: names,
    emails: unique(captures(text, EMAIL, 0).map((email) => email.replace(/\.$/, ''))),
    skus: unique([...captures(text, SKU_PREFIXED), ...captures(text, SKU_SEGMENTED)]),
    issueIds: issueIds(text),
    branches: branches(text),
    environments: unique(
      captures(text, ENVIRONMENT).map((name) => {
        const lower = name.toLowerCase();
        return Object.hasOwn(ENVIRONMENT_ALIASES, lower) ? ENVIRONMENT_ALIASES[lower]! : lower;
      }),
    ),
    amounts: amounts(text),
    dates: unique(captures(text, DATE)),
    messages: messages(text),
    phones: unique(captures(text, PHONE)),
    nameFragments: nameFragments(text, names),
  };
}

/** Whether a text mentions nothing at all. */
export function isEmpty(entities: Entities): boolean {
  return Object.values(entities).every((values: readonly unknown[]) => values.length === 0);
}
