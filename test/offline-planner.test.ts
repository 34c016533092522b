/**
 * The offline planner on whole operations tasks, table-driven: each task runs through the real agent loop against
 * the real built-in servers (in-process, a `:memory:` store with the demo data), side effects approved through the
 * normal gate, and the store's state after the run is asserted — the note, refund, issue, email or shipment exists
 * once with the right fields, or nothing changed — or the answer's facts are checked against the store. The same
 * kinds of task then run against a catalog the planner has never seen (`test/fixtures/helpdesk-server.ts`).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVOPS_CONFIG_ENV } from '../src/servers/devops/config.js';
import { createFixtureRepo, type FixtureRepo } from '../src/servers/devops/testing/fixture-repo.js';
import type { Store } from '../src/store/database.js';
import { createHelpdeskServer, type HelpdeskState, helpdeskState } from './fixtures/helpdesk-server.js';
import { builtinWorld, InProcessTools, type OfflineRun, runOffline } from './helpers/offline-harness.js';
import { calledTools, type Diff, diffSnapshots, expectApprovedThroughGate, expectEffects, expectNoMadeUpFacts, type Snapshot } from './helpers/offline-suite.js';

const DOMAIN_TABLES = ['customers', 'inventory_items', 'inventory_movements', 'orders', 'payments', 'notes', 'emails', 'issues', 'issue_comments'] as const;

async function snapshot(store: Store): Promise<Snapshot> {
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const table of DOMAIN_TABLES) tables[table] = (await store.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
  return tables;
}

/** One task and what must be true after it. */
interface Case {
  readonly task: string;
  /** Rows the run must have added or changed, per table; every other table must be unchanged. */
  readonly effects?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  /** Tables the same action changes as a side effect (stock movements of a cancellation). */
  readonly alsoChanged?: readonly string[];
  /** Checks of the final answer, given the store after the run. */
  readonly answer?: (text: string, store: Store) => Promise<void> | void;
  /** The calls, in order, when the path matters. */
  readonly calls?: readonly string[];
  /** Follow-up messages of the same chat, each run after the one before. */
  readonly then?: readonly string[];
}

const nothing = {} as const;

async function stockOf(store: Store, sku: string): Promise<number> {
  const row = await store.db.selectFrom('inventory_items').select('stock').where('sku', '=', sku).executeTakeFirstOrThrow();
  return row.stock;
}

async function ordersOf(store: Store, customerId: string): Promise<string[]> {
  return (await store.db.selectFrom('orders').select('id').where('customer_id', '=', customerId).execute()).map((row) => row.id);
}

const asks = (pattern: RegExp) => (text: string) => {
  expect(text).toMatch(pattern);
};

const BUILTIN_CASES: readonly Case[] = [
  // Notes: the entity named, or found from a name and a qualifier; the text is the user's own words.
  { task: 'Put an internal note on order XYZ-789: customer asked for gift wrapping.', effects: { notes: [{ entity_type: 'order', entity_id: 'XYZ-789', text: 'customer asked for gift wrapping' }] }, calls: ['notes.add_note'] },
  { task: 'add a note to XYZ-790 saying the card should read Happy birthday', effects: { notes: [{ entity_type: 'order', entity_id: 'XYZ-790', text: 'the card should read Happy birthday' }] } },
  { task: "Add a note to Lisa Park's latest order: she called about delivery", effects: { notes: [{ entity_type: 'order', entity_id: 'XYZ-789', text: 'she called about delivery' }] } },
  { task: "Add a note to Lisa Park's ring order: wants it resized", effects: { notes: [{ entity_type: 'order', entity_id: 'XYZ-789', text: 'wants it resized' }] } },
  { task: "note on Sofia Alvarez's delivered order: asked for a matching pendant", effects: { notes: [{ entity_type: 'order', entity_id: 'XYZ-800', text: 'asked for a matching pendant' }] } },
  { task: 'pls note on customer Marcus Chen that he prefers phone calls', effects: { notes: [{ entity_type: 'customer', entity_id: 'C-1002', text: 'he prefers phone calls' }] } },
  { task: 'Note on RNG-RUB-06: supplier discontinued the ruby halo', effects: { notes: [{ entity_type: 'sku', entity_id: 'RNG-RUB-06', text: 'supplier discontinued the ruby halo' }] } },
  { task: 'put a note on ordr XYZ-791: cusomer says box was dented', effects: { notes: [{ entity_type: 'order', entity_id: 'XYZ-791', text: 'cusomer says box was dented' }] } },
  { task: 'Add a note for the customer with phone 555-0142: asked about a matching bracelet', effects: { notes: [{ entity_type: 'customer', entity_id: 'C-1002', text: 'asked about a matching bracelet' }] } },
  { task: 'Could you add a note to the order of daniel.okafor@example.com: wants delivery after 5pm', effects: { notes: [{ entity_type: 'order', entity_id: 'ABC-123', text: 'wants delivery after 5pm' }] } },

  // Issues and comments: title and body from the task.
  { task: 'Please log an issue: checkout page times out for some shoppers.', effects: { issues: [{ title: 'Checkout page times out for some shoppers', status: 'open' }] }, calls: ['issues.create_issue'] },
  { task: 'Open a high priority issue: payment page shows a blank screen on Safari', effects: { issues: [{ title: 'Payment page shows a blank screen on Safari', priority: 'high' }] } },
  { task: 'Lisa Park says her ring never arrived - open an issue', effects: { issues: [{ title: 'Lisa Park says her ring never arrived', status: 'open' }] } },
  { task: 'file a ticket about the gift card balance not updating', effects: { issues: [{ title: 'The gift card balance not updating' }] } },
  { task: 'comment on ISS-101: supplier confirmed restock for December 10', effects: { issue_comments: [{ issue_id: 'ISS-101', text: 'supplier confirmed restock for December 10' }] }, alsoChanged: ['issues'] },

  // Emails.
  { task: 'Send a shipping confirmation for order XYZ-789', effects: { emails: [{ kind: 'shipping-confirmation', to_address: 'lisa.park@example.com', order_id: 'XYZ-789' }] } },
  { task: 'XYZ-792 went out today - let the customer know by email', effects: { emails: [{ kind: 'shipping-confirmation', to_address: 'sofia.alvarez@example.com', order_id: 'XYZ-792' }] } },
  { task: 'Email Lisa Park: your ring has been resized and ships Monday', effects: { emails: [{ to_address: 'lisa.park@example.com', body: expect.stringContaining('Your ring has been resized and ships Monday') }] } },
  { task: 'email the customer of order XYZ-790 that their necklace is back in stock', effects: { emails: [{ to_address: 'marcus.chen@example.com', body: expect.stringContaining('Their necklace is back in stock') }] } },
  { task: 'send an email to grace.kim@example.com saying thanks for your order', effects: { emails: [{ to_address: 'grace.kim@example.com', body: expect.stringContaining('Thanks for your order') }] } },

  // Refunds, cancellations, shipments, stock: amounts, reasons, carriers, tracking numbers and quantities from the task.
  { task: 'Refund $25.50 on order XYZ-792 because the clasp arrived bent', effects: { payments: [{ order_id: 'XYZ-792', kind: 'refund', amount_cents: 2550, reason: 'the clasp arrived bent' }] }, alsoChanged: ['orders'] },
  { task: "Can you refund 10 dollars on Priya Raman's order? It arrived late.", effects: { payments: [{ order_id: 'XYZ-791', kind: 'refund', amount_cents: 1000, reason: 'It arrived late' }] }, alsoChanged: ['orders'] },
  { task: 'Cancel order ABC-123 because the customer changed their mind', effects: { orders: [{ id: 'ABC-123', status: 'cancelled' }] }, alsoChanged: ['inventory_items', 'inventory_movements'] },
  { task: 'Mark XYZ-790 as shipped with UPS tracking 1Z999AA10199998888', effects: { orders: [{ id: 'XYZ-790', status: 'shipped', carrier: 'UPS', tracking_number: '1Z999AA10199998888' }] } },
  { task: 'XYZ-798 shipped via FedEx, tracking number 772899179999 - mark it shipped', effects: { orders: [{ id: 'XYZ-798', status: 'shipped', carrier: 'FedEx', tracking_number: '772899179999' }] } },
  { task: 'Add 5 units of RNG-SLV-06 to stock, supplier delivery arrived', effects: { inventory_items: [{ sku: 'RNG-SLV-06', stock: 43 }], inventory_movements: [{ sku: 'RNG-SLV-06', delta: 5 }] } },
  { task: 'Adjust stock of EAR-PRL-06 by -2, damaged in store', effects: { inventory_items: [{ sku: 'EAR-PRL-06', stock: 15 }], inventory_movements: [{ sku: 'EAR-PRL-06', delta: -2 }] } },
  { task: 'Restock NCK-PRL-18 with 4 more', effects: { inventory_items: [{ sku: 'NCK-PRL-18', stock: 7 }], inventory_movements: [{ sku: 'NCK-PRL-18', delta: 4 }] } },

  // Several actions, in order, each through the gate.
  {
    task: 'refund $30 on XYZ-789 and email her that it is done',
    effects: {
      payments: [{ order_id: 'XYZ-789', kind: 'refund', amount_cents: 3000 }],
      emails: [{ to_address: 'lisa.park@example.com', body: expect.stringContaining('Refunded $30.00 on order XYZ-789') }],
    },
    alsoChanged: ['orders'],
    calls: ['orders.refund_order', 'crm.getCustomerEmail', 'email.send_email'],
  },
  {
    task: 'Put a note on XYZ-790: gift receipt requested, then email the customer that we added it',
    effects: { notes: [{ entity_id: 'XYZ-790', text: 'gift receipt requested' }], emails: [{ to_address: 'marcus.chen@example.com' }] },
  },
  {
    task: "Lisa Park says her ring never arrived — add a note to her latest order and open an issue",
    effects: { notes: [{ entity_id: 'XYZ-789', text: 'Lisa Park says her ring never arrived.' }], issues: [{ title: 'Lisa Park says her ring never arrived' }] },
  },
  {
    task: 'Mark XYZ-798 shipped with USPS tracking 9400111202555849999 and send the customer a shipping confirmation',
    effects: { orders: [{ id: 'XYZ-798', status: 'shipped', carrier: 'USPS' }], emails: [{ kind: 'shipping-confirmation', to_address: 'noah.williams@example.com', order_id: 'XYZ-798' }] },
  },
  {
    task: 'Cancel ABC-123 and add a note to it: customer found it cheaper elsewhere',
    effects: { orders: [{ id: 'ABC-123', status: 'cancelled' }], notes: [{ entity_id: 'ABC-123', text: 'customer found it cheaper elsewhere' }] },
    alsoChanged: ['inventory_items', 'inventory_movements'],
  },

  // Questions, answered from the records, checked against the store.
  {
    task: 'Which orders has Lisa Park placed?',
    effects: nothing,
    answer: async (text, store) => {
      for (const id of await ordersOf(store, 'C-1001')) expect(text).toContain(id);
      expect(text).not.toContain('XYZ-797'); // Lisa Parker's
    },
  },
  { task: 'what orders does marcus.chen@example.com have', effects: nothing, answer: async (text, store) => expect(text).toContain((await ordersOf(store, 'C-1002'))[0]) },
  { task: 'How many RNG-14K-07 do we have in stock?', effects: nothing, answer: async (text, store) => expect(text).toContain(`${await stockOf(store, 'RNG-14K-07')} in stock`) },
  { task: 'is PND-EMR-01 in stock?', effects: nothing, answer: async (text, store) => expect(text).toContain(`${await stockOf(store, 'PND-EMR-01')} in stock`) },
  { task: 'What notes are on order XYZ-790?', effects: nothing, answer: (text) => expect(text).toContain('Gift wrap requested; card reads "Happy anniversary".') },
  { task: 'any notes on XYZ-789?', effects: nothing, answer: (text) => expect(text).toMatch(/^I found nothing: .*No notes on order:XYZ-789/) },
  {
    task: 'what open issues are there?',
    effects: nothing,
    answer: async (text, store) => {
      const open = await store.db.selectFrom('issues').select(['id', 'status']).execute();
      for (const issue of open) (issue.status === 'open' ? expect(text) : expect(text).not).toContain(issue.id);
    },
  },
  { task: "What's the status and tracking of XYZ-789?", effects: nothing, answer: (text) => expect(text).toMatch(/shipped[\s\S]*1Z999AA10123456784/) },
  { task: 'where is order XYZ-792', effects: nothing, answer: (text) => expect(text).toMatch(/FedEx, tracking 772899172634/) },
  {
    // The customer the search finds is the answer: a tool that needs an order id (`getCustomerEmail`) must not win
    // because a bigger catalog (the DevOps tools) makes its two name concepts weigh more.
    task: 'who is the customer with email lisa.park@example.com?',
    effects: nothing,
    answer: (text) => expect(text).toMatch(/C-1001 Lisa Park/),
    calls: ['crm.search_customers'],
  },
  { task: 'whats the email of the customer on XYZ-796', effects: nothing, answer: (text) => expect(text).toContain('grace.kim@example.com') },
  { task: 'Show me issue ISS-102', effects: nothing, answer: (text) => expect(text).toContain('Cancelled watch order needs a follow-up call') },
  { task: 'What emails did we send about order XYZ-791?', effects: nothing, answer: (text) => expect(text).toContain('Your order XYZ-791 has shipped') },
  { task: 'Tell me about customer C-1005', effects: nothing, answer: (text) => expect(text).toContain('Sofia Alvarez') },
  { task: 'look up the customer with phone 555-0199', effects: nothing, answer: (text) => expect(text).toContain('Priya Raman') },
  {
    task: 'Which items are low on stock?',
    effects: nothing,
    answer: async (text, store) => {
      const items = await store.db.selectFrom('inventory_items').select(['sku', 'stock', 'reorder_level']).execute();
      for (const item of items) (item.stock <= item.reorder_level ? expect(text) : expect(text).not).toContain(item.sku);
    },
  },

  // Ambiguous in fact: it asks, naming the candidates, and changes nothing; the answer to its question carries on.
  { task: 'Which orders has Lisa placed?', effects: nothing, answer: asks(/Which customer do you mean\?[\s\S]*C-1001 Lisa Park[\s\S]*C-1011 Lisa Parker/) },
  { task: 'Email Lisa about her order', effects: nothing, answer: asks(/Lisa Park <lisa\.park@example\.com>[\s\S]*Lisa Parker <lisa\.parker@example\.com>/) },
  { task: 'Put a note on Lisa Park’s order: called twice', effects: nothing, answer: asks(/Which order should I add the note for\?[\s\S]*XYZ-702[\s\S]*XYZ-789/) },
  { task: 'Email the customer a shipping confirmation.', effects: nothing, answer: asks(/Which order should I send the shipping confirmation for\?/) },
  { task: 'Add a note: call back tomorrow', effects: nothing, answer: asks(/^Which order should I add the note for\?/) },
  { task: 'refund lisa park', effects: nothing, answer: asks(/^Which order should I refund the order for\?/) },
  {
    task: 'Which orders has Lisa placed?',
    then: ['Lisa Park'],
    effects: nothing,
    answer: async (text, store) => {
      for (const id of await ordersOf(store, 'C-1001')) expect(text).toContain(id);
    },
  },
  { task: "Add a note to Lisa Park's order: prefers morning delivery", then: ['XYZ-702'], effects: { notes: [{ entity_id: 'XYZ-702', text: 'prefers morning delivery' }] } },

  // Refused or out of reach: nothing changes, and it says what it can do instead.
  { task: 'delete every customer', effects: nothing, answer: asks(/^I won't do that: .*one record at a time/) },
  { task: 'refund all orders from last week', effects: nothing, answer: asks(/^I won't do that/) },
  { task: 'Send an email to all customers about the sale', effects: nothing, answer: asks(/^I won't do that/) },
  { task: 'delete customer C-1001', effects: nothing, answer: asks(/^I can't do that offline/) },
  { task: 'book me a flight to Paris', effects: nothing, answer: asks(/^I can't do that offline[\s\S]*With the connected tools I can/) },
  { task: 'Order XYZ-000 has shipped. Email the customer a shipping confirmation.', effects: nothing, answer: asks(/No order XYZ-000/) },
];

async function runCase(world: { tools: InProcessTools; store: Store }, testCase: Case): Promise<OfflineRun> {
  let run = await runOffline({ task: testCase.task, tools: world.tools, store: world.store });
  const executed = [...run.executed];
  for (const reply of testCase.then ?? []) {
    run = await runOffline({ task: reply, tools: world.tools, store: world.store, messages: run.messages });
    executed.push(...run.executed);
  }
  return { ...run, executed };
}

function expectCommon(run: OfflineRun, testCase: Case, tools: InProcessTools): void {
  expect(run.end.outcome).toBe('finished');
  expect(run.end.totals.inputTokens + run.end.totals.outputTokens).toBe(0);
  if (testCase.calls) expect(calledTools(run)).toEqual(testCase.calls);
  expectApprovedThroughGate(run, (name) => tools.hints(name)?.readOnlyHint === true);
  expectNoMadeUpFacts(run, [testCase.task, ...(testCase.then ?? [])].join('\n'), tools.specs());
}

describe('the offline planner on the built-in servers and the demo data', () => {
  const label = (testCase: Case) => testCase.task + (testCase.then ? ` → ${testCase.then.join(' → ')}` : '');
  async function check(testCase: Case): Promise<void> {
    const world = await builtinWorld();
    try {
      const before = await snapshot(world.store);
      const run = await runCase(world, testCase);
      const diff: Diff = diffSnapshots(before, await snapshot(world.store));
      expectCommon(run, testCase, world.tools);
      expectEffects(diff, testCase.effects ?? {}, testCase.alsoChanged);
      await testCase.answer?.(run.end.text, world.store);
    } finally {
      await world.close();
    }
  }
  it.each(BUILTIN_CASES.map((testCase) => [label(testCase), testCase] as const))('%s', async (_name, testCase) => check(testCase));

  it('has at least 60 tasks between both catalogs', () => {
    expect(BUILTIN_CASES.length + HELPDESK_CASES.length).toBeGreaterThanOrEqual(60);
  });
});

/** One task on the helpdesk fixture and what must be true of its state afterwards. */
interface HelpdeskCase {
  readonly task: string;
  /** The fixture's state after the run, minus its state before: what must have changed. */
  readonly changed?: (state: HelpdeskState) => void;
  readonly answer?: (text: string) => void;
  readonly then?: readonly string[];
}

/** The fixture's state as plain data, to compare before and after. */
function plain(state: HelpdeskState): unknown {
  return { ...state, stock: Object.fromEntries(state.stock) };
}

const HELPDESK_CASES: readonly HelpdeskCase[] = [
  { task: 'Put an internal remark on purchase PO-5002: customer asked for gift wrapping', changed: (state) => expect(state.remarks.slice(1)).toEqual([{ record: 'PO-5002', remark: 'customer asked for gift wrapping' }]) },
  { task: "Add a note to Mara Quinn's latest order: she called about delivery", changed: (state) => expect(state.remarks.slice(1)).toEqual([{ record: 'PO-5002', remark: 'she called about delivery' }]) },
  { task: "Add a note to Mara Quinn's matcha order: wants a second whisk", changed: (state) => expect(state.remarks.slice(1)).toEqual([{ record: 'PO-5001', remark: 'wants a second whisk' }]) },
  { task: 'note on the client with phone 7946 0103 that he prefers e-mail', changed: (state) => expect(state.remarks.slice(1)).toEqual([{ record: 'K-33', remark: 'he prefers e-mail' }]) },
  { task: 'Please log an issue: checkout page times out for some shoppers.', changed: (state) => expect(state.tickets.slice(1)).toEqual([expect.objectContaining({ summary: 'Checkout page times out for some shoppers', state: 'open' })]) },
  { task: 'Open a high priority ticket: the card reader is offline', changed: (state) => expect(state.tickets.slice(1)).toEqual([expect.objectContaining({ summary: 'The card reader is offline', severity: 'high' })]) },
  { task: 'Email Tom Baker: your sencha ships tomorrow', changed: (state) => expect(state.messages).toEqual([expect.objectContaining({ recipient: 'tom.baker@example.org', content: expect.stringContaining('Your sencha ships tomorrow') })]) },
  {
    task: 'refund $5 on PO-5002 and email her that it is done',
    changed: (state) => {
      expect(state.refunds).toEqual([expect.objectContaining({ purchase_no: 'PO-5002', sum: 5 })]);
      expect(state.messages).toEqual([expect.objectContaining({ recipient: 'mara.quinn@example.org' })]);
    },
  },
  { task: "Refund $5 on Tom Baker's order because it arrived stale", changed: (state) => expect(state.refunds).toEqual([{ purchase_no: 'PO-5003', sum: 5, why: 'it arrived stale' }]) },
  { task: "Refund $10 on Tom Baker's order, it arrived stale", answer: (text) => expect(text).toContain('At most $9.5 can be refunded on PO-5003') },
  { task: 'Mark PO-5003 as dispatched with DPD tracking DPD123456', changed: (state) => expect(state.purchases.find((purchase) => purchase.purchase_no === 'PO-5003')).toMatchObject({ state: 'dispatched', courier: 'DPD', tracking_code: 'DPD123456' }) },
  { task: 'Add 6 units of TEA-EGR-03 to stock', changed: (state) => expect(state.stock.get('TEA-EGR-03')?.units).toBe(6) },
  { task: 'Which orders has Mara Quinn placed?', answer: (text) => expect(text).toMatch(/PO-5001[\s\S]*PO-5002/) },
  { task: 'How many TEA-GRN-01 do we have in stock?', answer: (text) => expect(text).toContain('"units":12') },
  { task: 'What open tickets are there?', answer: (text) => expect(text).toContain('T-7') },
  { task: "What's the status of PO-5004?", answer: (text) => expect(text).toMatch(/dispatched[\s\S]*DPD998877/) },
  { task: 'who is the client with email tom.baker@example.org?', answer: (text) => expect(text).toContain('K-33') },
  { task: 'What notes are on PO-5002?', answer: (text) => expect(text).toContain('Wants it gift wrapped.') },
  { task: 'Which orders has Mara placed?', answer: (text) => expect(text).toMatch(/Mara Quinn[\s\S]*Mara Quist/) },
  { task: 'Which orders has Mara placed?', then: ['Mara Quist'], answer: (text) => expect(text).toContain('PO-5004') },
  { task: 'delete every customer', answer: (text) => expect(text).toMatch(/^I won't do that/) },
  { task: 'Cancel every purchase', answer: (text) => expect(text).toMatch(/^I won't do that|^I can't do that offline/) },
  { task: 'book me a flight to Paris', answer: (text) => expect(text).toMatch(/^I can't do that offline/) },
  { task: 'refund $5 on PO-9999', answer: (text) => expect(text).toContain('There is no purchase PO-9999') },
];

describe('the offline planner on a catalog it has never seen (a tea shop helpdesk)', () => {
  it.each(HELPDESK_CASES.map((testCase) => [testCase.task + (testCase.then ? ` → ${testCase.then.join(' → ')}` : ''), testCase] as const))('%s', async (_name, testCase) => {
    const state = helpdeskState();
    const tools = await InProcessTools.connect({ helpdesk: createHelpdeskServer(state) });
    const world = await builtinWorld(); // only for the approval store; its servers are not offered
    try {
      const before = structuredClone(plain(state));
      const run = await runCase({ tools, store: world.store }, testCase);
      expect(run.end.outcome).toBe('finished');
      expect(run.end.totals.inputTokens + run.end.totals.outputTokens).toBe(0);
      expectApprovedThroughGate(run, (name) => tools.hints(name)?.readOnlyHint === true);
      expectNoMadeUpFacts(run, [testCase.task, ...(testCase.then ?? [])].join('\n'), tools.specs());
      if (testCase.changed) testCase.changed(state);
      else expect(plain(state)).toEqual(before);
      testCase.answer?.(run.end.text);
    } finally {
      await tools.close();
      await world.close();
    }
  });
});

/** A DevOps task on a real git repository (a fake deploy script that records what it deployed), and what must hold. */
interface DevopsCase {
  readonly task: string;
  /** Before the task: tasks run first through the planner (earlier deploys), or a change to the fixture. */
  readonly before?: (world: DevopsWorld) => Promise<void> | void;
  /** The calls, in order. */
  readonly calls?: readonly string[];
  /** Rows the task adds to `devops_deployments` (partial); none when absent. */
  readonly deployments?: (fixture: FixtureRepo) => readonly Record<string, unknown>[];
  /** What the deploy script recorded during the task (`<environment> <sha>` lines); none when absent. */
  readonly deployed?: (fixture: FixtureRepo) => readonly string[];
  readonly answer?: (text: string, fixture: FixtureRepo) => void;
}

interface DevopsWorld {
  readonly fixture: FixtureRepo;
  readonly store: Store;
  readonly tools: InProcessTools;
  run(task: string): Promise<OfflineRun>;
}

const APP_LOG = [
  '2026-12-01T10:00:00Z INFO GET /api/health 200',
  ...Array.from({ length: 4 }, (_, minute) => `2026-12-01T10:0${minute + 1}:00Z ERROR GET /api/users 500 Internal Server Error: connection refused to db:5432`),
].join('\n');

async function devopsWorld(): Promise<DevopsWorld & { close(): Promise<void> }> {
  const fixture = createFixtureRepo();
  writeFileSync(join(fixture.logDir, 'app.log'), `${APP_LOG}\n`);
  const deploy = [fixture.deployScript, '{environment}', '{sha}'];
  const config = {
    repo: fixture.repo,
    testCommand: [fixture.testScript],
    logDirs: [fixture.logDir],
    environments: { staging: { deploy, requiredConfig: ['API_URL'] }, production: { deploy, requiredConfig: ['API_URL'], requireApproval: true } },
  };
  const world = await builtinWorld({ env: { [DEVOPS_CONFIG_ENV]: JSON.stringify(config), API_URL: 'https://api.example.test', PATH: process.env.PATH } });
  return {
    fixture,
    ...world,
    run: (task) => runOffline({ task, tools: world.tools, store: world.store }),
    close: async () => {
      await world.close();
      rmSync(fixture.root, { recursive: true, force: true });
    },
  };
}

const deploymentsOf = (store: Store) => store.db.selectFrom('devops_deployments' as never).selectAll().orderBy('started_at' as never).execute() as Promise<Record<string, unknown>[]>;
const nothingHappened = (text: string) => expect(text).not.toMatch(/^(?:Deployed|Rolled back)/m);

const DEVOPS_CASES: readonly DevopsCase[] = [
  {
    task: 'deploy main to staging',
    calls: ['devops.deploy_with_review'],
    deployments: (fixture) => [{ kind: 'deploy', environment: 'staging', branch: 'main', sha: fixture.sha('main'), status: 'succeeded' }],
    deployed: (fixture) => [`staging ${fixture.sha('main')}`],
    answer: (text, fixture) => expect(text).toMatch(new RegExp(`^Deployed main to staging\\. devops\\.deploy_with_review: Deploy main ${fixture.sha('main').slice(0, 7)} to staging: SUCCEEDED`)),
  },
  {
    task: 'can you push the main branch to staging pls',
    calls: ['devops.deploy_with_review'],
    deployments: () => [{ environment: 'staging', branch: 'main', status: 'succeeded' }],
    deployed: (fixture) => [`staging ${fixture.sha('main')}`],
  },
  {
    // Failing tests stop a deploy: the call succeeds as a call, and the answer must not say it deployed.
    task: 'Deploy main to staging',
    before: ({ fixture }) => fixture.failTests(true),
    deployments: (fixture) => [{ environment: 'staging', sha: fixture.sha('main'), status: 'blocked', recommendation: 'DO_NOT_DEPLOY' }],
    answer: (text) => {
      nothingHappened(text);
      expect(text).toMatch(/^I did not deploy main to staging: devops\.deploy_with_review says: Deploy main \w+ to staging: BLOCKED/);
    },
  },
  {
    // Production needs a person; this in-process client offers no elicitation, so the server blocks it.
    task: 'deploy main to production',
    deployments: () => [{ environment: 'production', status: 'blocked' }],
    answer: (text) => {
      nothingHappened(text);
      expect(text).toMatch(/^I did not deploy main to production: [\s\S]*needs a person's approval/);
    },
  },
  {
    task: 'roll back staging',
    before: async (world) => {
      await world.run('deploy main to staging');
      world.fixture.commit('src/app.js', 'export function add(a, b) {\n  return a + b + 1;\n}\n', 'fix: off by one');
      await world.run('deploy main to staging');
    },
    calls: ['devops.rollback'],
    deployments: (fixture) => [{ kind: 'rollback', environment: 'staging', sha: fixture.sha('main~1'), previous_sha: fixture.sha('main'), status: 'succeeded' }],
    deployed: (fixture) => [`staging ${fixture.sha('main~1')}`],
    answer: (text) => expect(text).toMatch(/^Rolled back staging\. devops\.rollback: /),
  },
  {
    task: 'rollback staging',
    calls: ['devops.rollback'],
    answer: (text) => {
      nothingHappened(text);
      expect(text).toMatch(/^I could not roll back: devops\.rollback failed: Nothing to roll back: staging has no successful deploy yet/);
    },
  },
  {
    task: 'why is the API returning 500s? look at app.log',
    calls: ['devops.troubleshoot_issue'],
    answer: (text) => {
      expect(text).toContain('4× `ERROR GET /api/users <n> Internal Server Error: connection refused to db:<n>`');
      expect(text).toMatch(/Likely: a dependency refuses connections/);
      expect(text).toMatch(/## Severity\n\w+ \(4 error line\(s\) in the last 5 lines\)/);
    },
  },
  {
    task: 'checkout is slow - troubleshoot it, the log is app.log',
    calls: ['devops.troubleshoot_issue'],
    answer: (text) => expect(text).toMatch(/\*\*Issue:\*\* Checkout is slow\.[\s\S]*4× `ERROR GET \/api\/users/),
  },
  {
    task: 'The API is down, what is wrong?',
    calls: ['devops.troubleshoot_issue'],
    answer: (text) => expect(text).toContain('4× `ERROR GET /api/users'),
  },
  {
    // No tool reports deployment status (the history is a resource); it says so instead of guessing.
    task: 'what is the status of deployments?',
    calls: [],
    answer: (text) => expect(text).toMatch(/^I can't do that offline[\s\S]*devops\./),
  },
  // A read tool that matches only on its verb ("show" → `get_issue`, "list" → `list_customers`) is no answer.
  { task: 'show me the deployment history', calls: [], answer: (text) => expect(text).toMatch(/^I can't do that offline[\s\S]*devops\.deploy_with_review/) },
  { task: 'list recent deployments', calls: [], answer: (text) => expect(text).toMatch(/^I can't do that offline[\s\S]*devops\.deploy_with_review/) },
];

describe('the offline planner on DevOps tasks (a real git repository and deploy script)', () => {
  it.each(DEVOPS_CASES.map((testCase) => [testCase.task, testCase] as const))('%s', async (_name, testCase) => {
    const world = await devopsWorld();
    try {
      await testCase.before?.(world);
      const deployedBefore = world.fixture.deployed().length;
      const rowsBefore = (await deploymentsOf(world.store)).length;
      const domainBefore = await snapshot(world.store);
      const run = await world.run(testCase.task);
      expect(run.end.outcome).toBe('finished');
      expect(run.end.totals.inputTokens + run.end.totals.outputTokens).toBe(0);
      if (testCase.calls) expect(calledTools(run)).toEqual(testCase.calls);
      expectApprovedThroughGate(run, (name) => world.tools.hints(name)?.readOnlyHint === true);
      expectNoMadeUpFacts(run, testCase.task, world.tools.specs());
      const rows = (await deploymentsOf(world.store)).slice(rowsBefore);
      expect(rows).toEqual((testCase.deployments?.(world.fixture) ?? []).map((row) => expect.objectContaining(row)));
      expect(world.fixture.deployed().slice(deployedBefore)).toEqual(testCase.deployed?.(world.fixture) ?? []);
      expectEffects(diffSnapshots(domainBefore, await snapshot(world.store)));
      testCase.answer?.(run.end.text, world.fixture);
    } finally {
      await world.close();
    }
  });
});
