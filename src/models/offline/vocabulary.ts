/**
 * @module Words for the offline planner: tokenising, light stemming and a synonym table that maps the
 * many ways people say a thing ("shipped", "went out", "dispatched") to one concept (`ship`).
 */

/**
 * Concepts and the words that mean them. Verbs and nouns a catalog of operations tools tends to use;
 * the planner matches concepts, never these words directly, so the table can grow without code changes.
 */
const CONCEPT_WORDS: Readonly<Record<string, readonly string[]>> = {
  // Actions.
  send: [
    'send',
    'sent',
    'sending',
    'notify',
    'notified',
    'notification',
    'inform',
    'contact',
    'reply',
    'respond',
    'alert',
  ],
  create: [
    'create',
    'created',
    'creating',
    'add',
    'added',
    'open',
    'file',
    'filed',
    'raise',
    'new',
    'make',
    'leave',
    'record',
    'post',
    'write',
    'submit',
    'append',
    'attach',
    'insert',
    'register',
  ],
  update: [
    'update',
    'updated',
    'change',
    'changed',
    'modify',
    'set',
    'edit',
    'adjust',
    'correct',
    'mark',
    'flag',
    'rename',
  ],
  deploy: ['deploy', 'deployed', 'deployment', 'release', 'rollout', 'promote', 'push'],
  refund: ['refund', 'refunded', 'reimburse', 'moneyback', 'chargeback'],
  cancel: ['cancel', 'cancelled', 'canceled', 'cancellation', 'void', 'abort'],
  delete: ['delete', 'deleted', 'remove', 'removed', 'erase', 'purge'],
  close: ['close', 'closed', 'resolve', 'resolved'],
  restart: ['restart', 'reboot', 'bounce'],
  rollback: ['rollback', 'revert', 'undo'],
  troubleshoot: ['troubleshoot', 'diagnose', 'debug', 'investigate', 'analyze', 'analyse', 'analysis'],
  // Reads.
  get: ['get', 'fetch', 'retrieve', 'look', 'lookup', 'show', 'view', 'read', 'see', 'check', 'describe', 'inspect'],
  search: ['search', 'find', 'query', 'locate', 'match'],
  list: ['list', 'enumerate', 'browse'],
  // Things.
  email: ['email', 'e-mail', 'mail', 'emailed', 'mailed', 'inbox', 'mailbox'],
  customer: ['customer', 'client', 'buyer', 'purchaser', 'shopper', 'consumer', 'account'],
  order: ['order', 'orders', 'purchase', 'purchased', 'bought'],
  ship: [
    'ship',
    'shipped',
    'shipping',
    'shipment',
    'dispatch',
    'dispatched',
    'deliver',
    'delivered',
    'delivery',
    'carrier',
    'tracking',
    'arrive',
    'arrived',
    'fulfil',
    'fulfill',
    'fulfilled',
    'fulfillment',
    'wentout',
  ],
  confirm: ['confirm', 'confirmed', 'confirmation', 'receipt'],
  note: ['note', 'notes', 'memo', 'comment', 'annotation', 'annotate', 'remark', 'remarks'],
  issue: ['issue', 'issues', 'ticket', 'bug', 'problem', 'incident', 'defect', 'complaint'],
  product: [
    'product',
    'item',
    'items',
    'sku',
    'article',
    'merchandise',
    'ring',
    'necklace',
    'bracelet',
    'jewelry',
    'jewellery',
  ],
  inventory: ['inventory', 'stock', 'availability', 'available', 'quantity', 'restock'],
  payment: ['payment', 'charge', 'invoice', 'bill', 'paid', 'pay'],
  environment: ['environment', 'env', 'staging', 'stage', 'production', 'prod', 'dev', 'development'],
  branch: ['branch', 'git', 'commit', 'repository', 'repo'],
  health: ['health', 'healthy', 'uptime', 'metrics', 'cpu', 'memory', 'load'],
  history: ['history', 'past', 'previous', 'recent', 'audit', 'timeline'],
  error: ['error', 'errors', 'failure', 'failing', 'fail', 'failed', 'broken', 'crash', 'outage', 'down'],
  status: ['status', 'state', 'progress', 'whereabouts'],
  phone: ['phone', 'telephone', 'mobile'],
};

/** Words that carry no meaning for matching a task to a tool. */
const STOPWORDS = new Set(
  (
    'a an the to of for on in at by with and or but not no is are was were be been being has have had do does did ' +
    'it its this that these those there here please kindly me my mine i you your yours we our us they them their ' +
    'he she him her his hers what which who whom whose when where why how can could would will should shall may might ' +
    'must just now then also so very all any some each every about from into onto over under up out again once ' +
    'today yesterday tomorrow know let thanks thank hi hello hey id ids e.g eg via per as if than too'
  ).split(' '),
);

/** Multi-word phrases rewritten to one token before matching. */
const PHRASES: readonly (readonly [RegExp, string])[] = [
  // "Let me know" asks for an answer; "let the customer know" asks for a message.
  [/\blet\s+(?:me|us)\s+know\b/gi, ' '],
  [/\blet\s+(?:[\w'-]+\s+){0,3}?know\b/gi, ' notify '],
  [/\breach\s+out\b/gi, ' contact '],
  [/\b(?:went|gone|go(?:es)?|sent|shipped)\s+out\b/gi, ' wentout '],
  [/\bout\s+for\s+delivery\b/gi, ' wentout '],
  [/\blook(?:ing|ed|s)?\s+up\b/gi, ' lookup '],
  [/\broll(?:ing|ed|s)?\s+out\b/gi, ' rollout '],
  [/\broll(?:ing|ed|s)?\s+back\b/gi, ' rollback '],
  [/\bmoney\s+back\b/gi, ' moneyback '],
];

let wordToConcept: Map<string, string> | undefined;

function conceptTable(): Map<string, string> {
  if (wordToConcept) return wordToConcept;
  const table = new Map<string, string>();
  for (const [concept, words] of Object.entries(CONCEPT_WORDS)) {
    for (const word of [concept, ...words]) {
      if (!table.has(word)) table.set(word, concept);
      const stemmed = stem(word);
      if (!table.has(stemmed)) table.set(stemmed, concept);
    }
  }
  wordToConcept = table;
  return table;
}

/**
 * Strips common English suffixes: `shipping` → `ship`, `customers` → `customer`, `confirmation` → `confirm`.
 * Deliberately crude; both sides of every comparison go through it, so consistency matters more than accuracy.
 */
export function stem(word: string): string {
  let result = word.toLowerCase();
  if (result.length <= 3) return result;
  if (result.endsWith('ies') && result.length > 4) return `${result.slice(0, -3)}y`;
  for (const suffix of ['ation', 'ment', 'ing', 'ed']) {
    if (result.endsWith(suffix) && result.length - suffix.length >= 3) {
      result = result.slice(0, -suffix.length);
      // `shipp` → `ship`: undo the consonant doubling of the suffixed form.
      if (/([b-df-hj-np-tv-z])\1$/.test(result) && !/(ll|ss|zz)$/.test(result)) result = result.slice(0, -1);
      return result;
    }
  }
  if (/(s|x|z|ch|sh)es$/.test(result)) return result.slice(0, -2);
  if (result.endsWith('s') && !/(ss|us|is)$/.test(result)) return result.slice(0, -1);
  return result;
}

/** Splits an identifier into lower-case words: `sendShippingConfirmation` → `send shipping confirmation`. */
export function splitIdentifier(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** Lower-case word tokens of free text, with known phrases folded to one token. */
export function tokenize(text: string): string[] {
  let folded = text;
  for (const [pattern, replacement] of PHRASES) folded = folded.replace(pattern, replacement);
  return folded
    .toLowerCase()
    .split(/[^a-z0-9'-]+/)
    .map((word) => word.replace(/^['-]+|['-]+$/g, '').replace(/'s$/, ''))
    .filter((word) => word !== '');
}

/** Whether a word carries no meaning for matching. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase());
}

/** The concept a single word stands for: its synonym-table entry, else its stem. */
export function conceptOf(word: string): string {
  const lower = word.toLowerCase();
  const table = conceptTable();
  return table.get(lower) ?? table.get(stem(lower)) ?? stem(lower);
}

/** Whether the word (or its stem) appears in the synonym table. */
export function isKnownWord(word: string): boolean {
  const lower = word.toLowerCase();
  const table = conceptTable();
  return STOPWORDS.has(lower) || table.has(lower) || table.has(stem(lower));
}

/** The distinct concepts of the meaningful words of a text (stopwords and pure numbers dropped). */
export function conceptsOf(text: string): Set<string> {
  const concepts = new Set<string>();
  // An address's parts are not words of the request ("…@example.com" would read as "com", a comment).
  const plain = text.includes('@') || text.includes('://') ? text.replace(/[^\s@]+@[^\s@]+|https?:\/\/[^\s]+/g, ' ') : text;
  for (const word of tokenize(plain)) {
    if (isStopword(word) || /^\d+$/.test(word) || word.length < 2) continue;
    concepts.add(conceptOf(word));
  }
  return concepts;
}

/** The concepts of an identifier's words (`getCustomerEmail` → get, customer, email). */
export function conceptsOfIdentifier(identifier: string): string[] {
  return splitIdentifier(identifier)
    .filter((word) => !isStopword(word))
    .map(conceptOf);
}

const IRREGULAR_PAST: Readonly<Record<string, string>> = {
  send: 'sent',
  set: 'set',
  make: 'made',
  write: 'wrote',
  get: 'got',
  find: 'found',
  run: 'ran',
  put: 'put',
  leave: 'left',
  tell: 'told',
  rollback: 'rolled back',
  rollout: 'rolled out',
};

/** Verbs written as one word in tool names that people say as two (`rollback` → `roll back`). */
const SPOKEN_VERBS: Readonly<Record<string, string>> = { rollback: 'roll back', rollout: 'roll out', signup: 'sign up', checkout: 'check out' };

/** A verb as a person says it: `rollback` → `roll back`; others unchanged. */
export function spokenVerb(verb: string): string {
  const lower = verb.toLowerCase();
  return Object.hasOwn(SPOKEN_VERBS, lower) ? SPOKEN_VERBS[lower]! : verb;
}

/** The simple past of an English verb: `send` → `sent`, `ship` → `shipped`, `create` → `created`. */
export function pastTense(verb: string): string {
  const lower = verb.toLowerCase();
  const irregular = Object.hasOwn(IRREGULAR_PAST, lower) ? IRREGULAR_PAST[lower] : undefined;
  if (irregular) return irregular;
  if (lower.endsWith('e')) return `${lower}d`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ied`;
  if (/^[^aeiou]*[aeiou][b-df-hj-np-tv-z]$/.test(lower) && !/[wxy]$/.test(lower)) return `${lower}${lower.at(-1)}ed`;
  return `${lower}ed`;
}
