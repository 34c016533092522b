import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachStore } from '../../test/helpers/postgres.js';
import type { RunEvent } from '../contracts/index.js';
import { type OpenStoreOptions, openStore, type Store } from './database.js';
import { RunRecorder } from './run-recorder.js';

/** One contract suite, run against every backend the store supports. */
function storeContract(name: string, options: () => OpenStoreOptions) {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await openStore(options());
    });
    afterAll(async () => {
      await store?.close();
    });

    it('migrates and seeds idempotently: opening again changes nothing', async () => {
      const again = await openStore(options());
      await again.close();
      const orders = await store.db.selectFrom('orders').select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      expect(Number(orders.count)).toBe(14);
    });

    it('has the demo data with stable ids: XYZ-789 belongs to Lisa Park', async () => {
      const row = await store.db
        .selectFrom('orders')
        .innerJoin('customers', 'customers.id', 'orders.customer_id')
        .select(['customers.name', 'customers.email', 'orders.status'])
        .where('orders.id', '=', 'XYZ-789')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'Lisa Park', email: 'lisa.park@example.com', status: 'shipped' });
    });

    it('RunRecorder records the run and every event in order, one batch per step', async () => {
      const recorder = new RunRecorder(store, { sessionId: `session-${name}`, preamble: 0, storedMessages: 0, settings: { model: 'offline', yes: false } });
      const totals = { steps: 1, toolCalls: 1, inputTokens: 10, outputTokens: 2, costUsd: 0.001 };
      const events: RunEvent[] = [
        { type: 'run-start', runId: `run-${name}`, at: 1, sessionId: `session-${name}`, task: 'ship it', model: 'offline', maxSteps: 20, budgetUsd: null },
        { type: 'step-start', runId: `run-${name}`, at: 2, step: 1 },
        { type: 'tool-call', runId: `run-${name}`, at: 3, step: 1, toolCallId: 'c1', server: 'crm', tool: 'getCustomerEmail', args: { order_id: 'XYZ-789' } },
        { type: 'step-end', runId: `run-${name}`, at: 4, step: 1, finishReason: 'tool-calls' },
      ];
      for (const event of events) await recorder.record(event);
      // Mid-run, the first step is durable and the run is still running.
      const midway = await store.db.selectFrom('runs').select(['status']).where('id', '=', `run-${name}`).executeTakeFirstOrThrow();
      expect(midway.status).toBe('running');
      await recorder.record({ type: 'run-end', runId: `run-${name}`, at: 5, outcome: 'finished', text: 'done', totals });

      const run = await store.db.selectFrom('runs').selectAll().where('id', '=', `run-${name}`).executeTakeFirstOrThrow();
      expect(run).toMatchObject({ status: 'finished', session_id: `session-${name}`, steps: 1, tool_calls: 1, input_tokens: 10, final_text: 'done' });
      expect(Number(run.cost_usd)).toBeCloseTo(0.001, 9);
      const stored = await store.db.selectFrom('run_events').select(['seq', 'type', 'data']).where('run_id', '=', `run-${name}`).orderBy('seq').execute();
      expect(stored.map((row) => row.type)).toEqual(['run-start', 'step-start', 'tool-call', 'step-end', 'run-end']);
      expect(JSON.parse(stored[2]!.data)).toMatchObject({ args: { order_id: 'XYZ-789' } });
    });
  });
}

await forEachStore('store contract', storeContract);
