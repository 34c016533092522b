/**
 * Budgets across stored runs, through `startRun` / `resumeRun` on a `:memory:` store: session and day spending is
 * read from the stored model calls, and a resumed run's budget keeps the calibration its earlier calls taught it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalConfigSchema } from '../config/schema.js';
import { PriceBook } from '../models/pricing.js';
import { ScriptedModel, type ScriptedTurn, toolCall } from '../models/testing/scripted-model.js';
import { openStore, type Store } from '../store/database.js';
import type { BudgetLimits } from './budget.js';
import type { HintedToolExecutor, RunEvent } from '../contracts/index.js';
import { RunStore } from '../store/run-store.js';
import { type RunContext, resumeRun, startRun } from './durable-run.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** $1 a million prompt tokens, output free: a call reported at 1,000,000 prompt tokens costs exactly $1. */
const PRICING = new PriceBook({ overrides: { 'scripted:test': { inputPerMTok: 1, outputPerMTok: 0 } } });
const ONE_DOLLAR = { inputTokens: 1_000_000, outputTokens: 10 };

/** One read-only tool, so a run can take a second step without asking anyone. */
const tools: HintedToolExecutor = {
  specs: () => [{ name: 'crm__get_customer', description: 'Get a customer', inputSchema: { type: 'object' } }],
  address: (name) => (name === 'crm__get_customer' ? { server: 'crm', tool: 'get_customer' } : undefined),
  hints: () => ({ readOnlyHint: true }),
  call: async () => ({ isError: false, text: 'C-1001 Lisa Park' }),
};

function contextFor(db: Store, model: ScriptedModel, budget: BudgetLimits): RunContext {
  return { store: db, model, pricing: PRICING, budget, tools, approval: ApprovalConfigSchema.parse({}), isTrusted: () => true };
}

async function run(context: RunContext, options: { sessionId: string; runId: string; budgetUsd?: number }): Promise<Extract<RunEvent, { type: 'run-end' }>> {
  let end: RunEvent | undefined;
  const settings = { model: 'scripted:test', yes: true, ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}) };
  for await (const event of startRun(context, { task: 'say done', sessionId: options.sessionId, runId: options.runId, settings })) end = event;
  if (end?.type !== 'run-end') throw new Error('no run-end');
  return end;
}

const answers = (count: number): ScriptedTurn[] => Array.from({ length: count }, () => ({ text: 'done', usage: ONE_DOLLAR }));

describe('session and day budgets, from the stored model calls', () => {
  it('a session budget spans the runs of the session, and no other session', async () => {
    store = await openStore({ file: ':memory:', seed: false });
    const model = new ScriptedModel(answers(3));
    const context = contextFor(store, model, { session: { usd: 1.5 } });
    expect((await run(context, { sessionId: 'S-1', runId: 'R-1' })).outcome).toBe('finished');
    // $1 spent of $1.50: the estimate of the next prompt fits, so it is sent; the session has now spent $2.
    expect((await run(context, { sessionId: 'S-1', runId: 'R-2' })).outcome).toBe('finished');
    const third = await run(context, { sessionId: 'S-1', runId: 'R-3' });
    expect(third).toMatchObject({ outcome: 'budget-exhausted' });
    expect(third.text).toMatch(/budget exhausted: session usd 2\.00 of 1\.50/i);
    expect(model.requests).toHaveLength(2);
    // Another session has its own budget.
    expect((await run(context, { sessionId: 'S-2', runId: 'R-4' })).outcome).toBe('finished');
  });

  it('a day budget spans runs in different sessions, counting a call made today by a run that started yesterday', async () => {
    store = await openStore({ file: ':memory:', seed: false });
    const model = new ScriptedModel(answers(2));
    const context = contextFor(store, model, { day: { usd: 1.5 } });
    expect((await run(context, { sessionId: 'S-1', runId: 'R-1' })).outcome).toBe('finished');
    // The run began yesterday; its call was made (and paid) today, so today's budget counts it.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    await store.db.updateTable('runs').set({ started_at: yesterday }).where('id', '=', 'R-1').execute();
    expect((await run(context, { sessionId: 'S-2', runId: 'R-2' })).outcome).toBe('finished');
    const third = await run(context, { sessionId: 'S-3', runId: 'R-3' });
    expect(third.text).toMatch(/budget exhausted: day usd 2\.00 of 1\.50/i);
    expect(model.requests).toHaveLength(2);
    // Calls paid on another day do not count toward today.
    await store.db.updateTable('model_calls').set({ day: yesterday.slice(0, 10) }).execute();
    const fourth = await run({ ...context, model: new ScriptedModel(answers(1)) }, { sessionId: 'S-4', runId: 'R-4' });
    expect(fourth.outcome).toBe('finished');
  });
});

describe('resume keeps the budget calibration', () => {
  it('a resumed run estimates its prompt as its earlier calls showed it to be, and is refused before sending', async () => {
    store = await openStore({ file: ':memory:', seed: false });
    // The provider counts 1,000,000 prompt tokens where the host estimated a few hundred.
    const model = new ScriptedModel([{ toolCalls: [toolCall('crm__get_customer', {})], usage: ONE_DOLLAR }, { text: 'done', usage: ONE_DOLLAR }]);
    const context = contextFor(store, model, {});
    const first = await run(context, { sessionId: 'S-1', runId: 'R-1', budgetUsd: 1.5 });
    // Calibrated by the first call, the second could cost about $1 more: refused before it is sent.
    expect(first.outcome).toBe('budget-exhausted');
    expect(model.requests).toHaveLength(1);

    // Raised to $1.90: still not enough for a call the provider will count at ~1,000,000 tokens. Without the
    // calibration the estimate would be a few hundred tokens ($0.0005), and the call would be sent.
    const stored = await new RunStore(store.db).load('R-1');
    let end: RunEvent | undefined;
    for await (const event of resumeRun(context, stored, { ...stored.settings, budgetUsd: 1.9 })) end = event;
    expect(end).toMatchObject({ type: 'run-end', outcome: 'budget-exhausted' });
    expect(model.requests).toHaveLength(1);

    for await (const event of resumeRun(context, await new RunStore(store.db).load('R-1'), { ...stored.settings, budgetUsd: 5 })) end = event;
    expect(end).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'done' });
    expect(model.requests).toHaveLength(2);
  });
});
