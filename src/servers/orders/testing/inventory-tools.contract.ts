import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../schemas.js';
import { resultText, type ServerHarness, structured } from '../../testing/server-harness.js';

type ItemPage = { items: InventoryItem[]; next_cursor: string | null };
type AdjustResult = {
  item: InventoryItem;
  delta: number;
  stock_before: number;
  stock_after: number;
  movement_id: string;
  replayed: boolean;
};

/**
 * The inventory tools' contract, against any backend. It shares the store with the order contract, so it
 * changes only SKUs no order there touches: RNG-RUB-06 (a refused removal), BRC-SLV-CH and WCH-LTH-01.
 */
export function inventoryToolsContract(harness: () => ServerHarness): void {
  const call = (tool: string, args: Record<string, unknown>) => harness().call(tool, args);
  const itemRow = (sku: string) =>
    harness().db.selectFrom('inventory_items').selectAll().where('sku', '=', sku).executeTakeFirstOrThrow();
  const refundedOf = async (orderId: string) =>
    (
      await harness()
        .db.selectFrom('orders')
        .select('refunded_cents')
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).refunded_cents;
  const movementsOf = (sku: string) =>
    harness().db.selectFrom('inventory_movements').selectAll().where('sku', '=', sku).execute();

  describe('get_inventory_item', () => {
    it('returns stock, reorder level and the low-stock flag', async () => {
      const item = structured<InventoryItem>(await call('get_inventory_item', { sku: 'rng-rub-06' }));
      expect(item).toMatchObject({
        sku: 'RNG-RUB-06',
        category: 'rings',
        stock: 1,
        reorder_level: 2,
        low_stock: true,
        out_of_stock: false,
        price: '2450.00',
      });
    });

    it('answers an unknown SKU with a tool error suggesting similar ones', async () => {
      const result = await call('get_inventory_item', { sku: 'RNG-RUB-07' });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/^No SKU RNG-RUB-07\. Did you mean RNG-RUB-06, /);
    });
  });

  describe('list_inventory', () => {
    it('lists low-stock items only, and a category page by page', async () => {
      const low = structured<ItemPage>(await call('list_inventory', { low_stock_only: true }));
      expect(low.items.map((item) => item.sku)).toEqual(['PND-EMR-01', 'RNG-PLT-08', 'RNG-RUB-06']);
      expect(low.items.every((item) => item.low_stock)).toBe(true);

      const first = structured<ItemPage>(await call('list_inventory', { category: 'Rings', limit: 3 }));
      expect(first.next_cursor).not.toBeNull();
      const second = structured<ItemPage>(
        await call('list_inventory', { category: 'rings', limit: 3, cursor: first.next_cursor }),
      );
      expect(second.next_cursor).toBeNull();
      expect([...first.items, ...second.items].map((item) => item.sku)).toEqual([
        'RNG-14K-07',
        'RNG-PLT-08',
        'RNG-RUB-06',
        'RNG-SLV-06',
      ]);
    });

    it('answers an unknown category with the real ones', async () => {
      const result = await call('list_inventory', { category: 'hats' });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toBe(
        "No category 'hats'. Categories: accessories, bracelets, earrings, necklaces, rings, watches.",
      );
    });
  });

  describe('check_stock', () => {
    it('says whether the requested quantity is available', async () => {
      expect(structured(await call('check_stock', { sku: 'RNG-14K-07', quantity: 2 }))).toEqual({
        sku: 'RNG-14K-07',
        requested: 2,
        available: 4,
        in_stock: true,
      });
      expect(structured(await call('check_stock', { sku: 'PND-EMR-01', quantity: 1 }))).toEqual({
        sku: 'PND-EMR-01',
        requested: 1,
        available: 0,
        in_stock: false,
      });
      expect(resultText(await call('check_stock', { sku: 'PND-EMR-02', quantity: 1 }))).toMatch(
        /No SKU PND-EMR-02\. Did you mean PND-EMR-01/,
      );
    });
  });

  describe('adjust_inventory', () => {
    // Invariant: stock never goes below zero, and a refused change writes nothing.
    it('refuses to take stock below zero and says how many are in stock', async () => {
      const result = await call('adjust_inventory', { sku: 'RNG-RUB-06', delta: -2, reason: 'damaged' });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/Cannot remove 2 of RNG-RUB-06: only 1 in stock/);
      expect((await itemRow('RNG-RUB-06')).stock).toBe(1);
      expect(await movementsOf('RNG-RUB-06')).toEqual([]);
    });

    it('removes down to exactly zero and flags the item out of stock', async () => {
      const result = structured<AdjustResult>(
        await call('adjust_inventory', { sku: 'WCH-LTH-01', delta: -7, reason: 'water damage' }),
      );
      expect(result).toMatchObject({ stock_before: 7, stock_after: 0, item: { out_of_stock: true, low_stock: true } });
      expect((await movementsOf('WCH-LTH-01')).map((movement) => [movement.delta, movement.reason])).toEqual([
        [-7, 'water damage'],
      ]);
    });

    it('adjusts once per idempotency key and returns the first result again', async () => {
      const args = {
        sku: 'BRC-SLV-CH',
        delta: 5,
        reason: 'supplier delivery PO-1182',
        idempotency_key: 'adjust-brc-1',
      };
      const first = structured<AdjustResult>(await call('adjust_inventory', args));
      const second = structured<AdjustResult>(await call('adjust_inventory', args));
      expect(first).toMatchObject({ stock_before: 21, stock_after: 26, replayed: false });
      const { replayed: _first, ...firstRest } = first;
      const { replayed: _second, ...secondRest } = second;
      expect(second.replayed).toBe(true);
      expect(secondRest).toEqual(firstRest);
      expect((await itemRow('BRC-SLV-CH')).stock).toBe(26);
      expect((await movementsOf('BRC-SLV-CH')).map((movement) => movement.id)).toEqual([first.movement_id]);
    });
  });

  describe('input validation', () => {
    it('rejects malformed and oversized arguments as tool errors, and keeps serving', async () => {
      const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
        ['get_order', { order_id: 'X'.repeat(65) }, /order_id/],
        ['get_order', {}, /order_id/],
        ['refund_order', { order_id: 'XYZ-800', amount: 25.555, reason: 'x' }, /at most 2 decimal places/],
        ['refund_order', { order_id: 'XYZ-800', amount: 0, reason: 'x' }, /amount/],
        ['refund_order', { order_id: 'XYZ-800', amount: -5, reason: 'x' }, /amount/],
        ['refund_order', { order_id: 'XYZ-800', amount: 1_000_000.01, reason: 'x' }, /amount/],
        ['refund_order', { order_id: 'XYZ-800', amount: '25.50', reason: 'x' }, /amount/],
        ['refund_order', { order_id: 'XYZ-800', amount: 5, reason: 'r'.repeat(501) }, /reason/],
        ['mark_shipped', { order_id: 'XYZ-790', carrier: 'UPS', tracking_number: '9'.repeat(65) }, /tracking_number/],
        ['adjust_inventory', { sku: 'BRC-SLV-CH', delta: 0, reason: 'x' }, /delta must not be 0/],
        ['adjust_inventory', { sku: 'BRC-SLV-CH', delta: 1.5, reason: 'x' }, /delta/],
        ['check_stock', { sku: 'BRC-SLV-CH', quantity: -1 }, /quantity/],
        ['list_orders', { status: 'lost' }, /status/],
        ['list_orders', { limit: 1_000 }, /limit/],
      ];
      const refundedBefore = await refundedOf('XYZ-800');
      for (const [tool, args, message] of rejected) {
        const result = await call(tool, args);
        expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
        expect(resultText(result)).toMatch(message);
      }
      expect(await refundedOf('XYZ-800')).toBe(refundedBefore);
      expect(structured<{ order_id: string }>(await call('get_order', { order_id: 'XYZ-789' })).order_id).toBe(
        'XYZ-789',
      );
    });
  });
}
