import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend, type ServerHarness } from '../testing/server-harness.js';
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
function ordersServerContract(open: () => Promise<ServerHarness>): void {
  let harness: ServerHarness;
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

await forEachBackend('orders server', ({ label, open }) => {
  describe(`orders server: ${label}`, () => {
    ordersServerContract(() => open('orders'));
  });
});
