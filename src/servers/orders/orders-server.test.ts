import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, postgresReachable } from '../../../test/helpers/postgres.js';
import { inProcessHarness, type OrdersHarness, stdioHarness, waitForDisconnect } from './testing/harness.js';
import { inventoryToolsContract } from './testing/inventory-tools.contract.js';
import { orderToolsContract } from './testing/order-tools.contract.js';

const EXPECTED_ANNOTATIONS = {
  get_order: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  list_orders: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  get_inventory_item: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  list_inventory: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  check_stock: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  mark_shipped: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  cancel_order: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  refund_order: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  adjust_inventory: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
};

/** Everything the orders server promises, against one backend: its tool list, then each tool's contract. */
function ordersServerContract(open: () => Promise<OrdersHarness>): void {
  let harness: OrdersHarness;
  beforeAll(async () => {
    harness = await open();
  });
  afterAll(async () => {
    await harness?.close();
  });

  describe('tools/list', () => {
    it('lists the nine tools with truthful annotations, input and output schemas', async () => {
      const { tools } = await harness.client.listTools();
      expect(Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]))).toEqual(EXPECTED_ANNOTATIONS);
      for (const tool of tools) {
        expect(tool.description?.length, tool.name).toBeGreaterThan(40);
        expect(tool.outputSchema?.type, tool.name).toBe('object');
      }
      const refund = tools.find((tool) => tool.name === 'refund_order');
      expect(refund?.inputSchema).toMatchObject({
        required: ['order_id', 'amount', 'reason'],
        properties: { amount: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 }, reason: { maxLength: 500 } },
      });
    });
  });

  orderToolsContract(() => harness);
  inventoryToolsContract(() => harness);
}

describe('orders server: sqlite (stdio)', () => {
  ordersServerContract(stdioHarness);
});

const postgres = await postgresReachable();
if (postgres) {
  describe('orders server: postgresql (in-process)', () => {
    ordersServerContract(async () => {
      const scratch = await createScratchDatabase();
      const harness = await inProcessHarness({ databaseUrl: scratch.url, label: 'postgresql (in-process)' });
      // Drop the database only once every connection of the store's pool is gone (see waitForDisconnect).
      return {
        ...harness,
        close: () =>
          harness
            .close()
            .then(() => waitForDisconnect(scratch.url))
            .finally(scratch.drop),
      };
    });
  });
} else {
  describe.skip('orders server: postgresql (no PostgreSQL at 127.0.0.1:5432)', () => {
    it('skipped', () => {});
  });
}
