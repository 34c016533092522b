import { describe, expect, it } from 'vitest';
import type { OrderDetail, OrderSummary } from '../schemas.js';
import { resultText, type ServerHarness, structured } from '../../testing/server-harness.js';

type Page = { orders: OrderSummary[]; next_cursor: string | null };
type RefundResult = { order: OrderDetail; refund: { payment_id: string; amount_cents: number }; replayed: boolean };
type CancelResult = {
  order: OrderDetail;
  refund: { payment_id: string; amount_cents: number } | null;
  restocked: Array<{ sku: string; quantity: number; stock_after: number }>;
  replayed: boolean;
};

/** Drops `replayed`, the one field allowed to differ between a first call and its replay. */
const withoutReplayed = ({ replayed: _replayed, ...rest }: { replayed: boolean }) => rest;

/**
 * The order tools' contract, against any backend. The suites share one seeded store and run in order, so
 * each one changes its own orders: reads and filters use the untouched ones (and run first), shipping uses
 * XYZ-790, refunds XYZ-798/XYZ-800/XYZ-796, cancellation XYZ-795/XYZ-799.
 */
export function orderToolsContract(harness: () => ServerHarness): void {
  const call = (tool: string, args: Record<string, unknown>) => harness().call(tool, args);
  const orderRow = (id: string) =>
    harness().db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const paymentsOf = (id: string) =>
    harness().db.selectFrom('payments').selectAll().where('order_id', '=', id).execute();
  const stockOf = async (sku: string) =>
    (await harness().db.selectFrom('inventory_items').select('stock').where('sku', '=', sku).executeTakeFirstOrThrow())
      .stock;

  describe('get_order', () => {
    it('returns XYZ-789 with its customer, lines, payments and shipping', async () => {
      const order = structured<OrderDetail>(await call('get_order', { order_id: 'xyz-789' }));
      expect(order).toMatchObject({
        order_id: 'XYZ-789',
        status: 'shipped',
        customer: { id: 'C-1001', name: 'Lisa Park', email: 'lisa.park@example.com' },
        lines: [{ line_no: 1, sku: 'RNG-14K-07', quantity: 1, unit_price_cents: 129_900, line_total_cents: 129_900 }],
        total_cents: 129_900,
        total: '1299.00',
        payments: { paid_cents: 129_900, refunded_cents: 0, refundable_cents: 129_900, refundable: '1299.00' },
        carrier: 'UPS',
        tracking_number: '1Z999AA10123456784',
        shipped_at: '2026-11-21T16:40:00.000Z',
        cancelled_at: null,
      });
      expect(order.payments.transactions).toEqual([expect.objectContaining({ kind: 'charge', amount_cents: 129_900 })]);
    });

    it('answers an unknown order with a tool error suggesting real ids of the same family', async () => {
      const result = await call('get_order', { order_id: 'XYZ-000' });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/^No order XYZ-000\. Did you mean XYZ-800, XYZ-\d{3}, XYZ-\d{3}\?/);
    });
  });

  describe('list_orders', () => {
    // Invariant: keyset pages cover every order exactly once, in id order, and the same walk gives the same pages.
    it('walks all pages with limit 3: no duplicates, no gaps, stable', async () => {
      const walk = async () => {
        const pages: string[][] = [];
        let cursor: string | null = null;
        do {
          const page: Page = structured<Page>(await call('list_orders', { limit: 3, ...(cursor ? { cursor } : {}) }));
          pages.push(page.orders.map((order) => order.order_id));
          cursor = page.next_cursor;
        } while (cursor !== null && pages.length < 20);
        return pages;
      };
      const pages = await walk();
      const all = structured<Page>(await call('list_orders', { limit: 100 }));
      expect(all.next_cursor).toBeNull();
      expect(all.orders).toHaveLength(14);
      expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 3, 2]);
      expect(pages.flat()).toEqual(all.orders.map((order) => order.order_id));
      expect(new Set(pages.flat()).size).toBe(14);
      expect(await walk()).toEqual(pages);
    });

    it('filters by customer, status and creation date', async () => {
      const ids = async (args: Record<string, unknown>) =>
        structured<Page>(await call('list_orders', args)).orders.map((order) => order.order_id);
      expect(await ids({ customer_id: 'c-1001' })).toEqual(['XYZ-702', 'XYZ-789']);
      expect(await ids({ status: 'delivered' })).toEqual(['XYZ-702', 'XYZ-791', 'XYZ-796', 'XYZ-800']);
      // A date is midnight UTC; a date-time with an offset is converted before comparing (23:00Z on the 21st).
      expect(await ids({ created_after: '2026-11-20', created_before: '2026-11-22T00:00:00+01:00' })).toEqual([
        'ABC-123',
        'XYZ-795',
        'XYZ-798',
      ]);
      const summary = structured<Page>(await call('list_orders', { customer_id: 'C-1008' })).orders[0];
      expect(summary).toMatchObject({
        order_id: 'XYZ-795',
        customer_name: 'Fatima Haddad',
        item_count: 3,
        total_cents: 102_800,
        total: '1028.00',
      });
    });

    it('rejects an unknown customer, a forged cursor and a malformed date as tool errors', async () => {
      const customer = await call('list_orders', { customer_id: 'C-9999' });
      expect(customer.isError).toBe(true);
      expect(resultText(customer)).toMatch(/No customer C-9999\. Did you mean C-\d{4}/);
      const cursor = await call('list_orders', { cursor: 'not-a-cursor' });
      expect(resultText(cursor)).toMatch(/cursor is not valid/);
      const date = await call('list_orders', { created_after: 'last tuesday' });
      expect(date.isError).toBe(true);
      expect(resultText(date)).toMatch(/created_after/);
    });
  });

  describe('mark_shipped', () => {
    it('ships a paid order, and a repeat with the same carrier and tracking number changes nothing', async () => {
      const args = { order_id: 'XYZ-790', carrier: 'UPS', tracking_number: '1Z999AA10123459999' };
      const first = structured<{ order: OrderDetail; already_shipped: boolean }>(await call('mark_shipped', args));
      expect(first).toMatchObject({
        already_shipped: false,
        order: { status: 'shipped', carrier: 'UPS', tracking_number: '1Z999AA10123459999' },
      });
      const row = await orderRow('XYZ-790');
      expect(row).toMatchObject({ status: 'shipped', carrier: 'UPS', tracking_number: '1Z999AA10123459999' });
      expect(row.shipped_at).toBe(first.order.shipped_at);
      const again = structured<{ order: OrderDetail; already_shipped: boolean }>(await call('mark_shipped', args));
      expect(again.already_shipped).toBe(true);
      expect((await orderRow('XYZ-790')).shipped_at).toBe(row.shipped_at);
    });

    it('refuses a pending order, and an order that shipped with another tracking number', async () => {
      const pending = await call('mark_shipped', { order_id: 'ABC-123', carrier: 'UPS', tracking_number: '1Z1' });
      expect(pending.isError).toBe(true);
      expect(resultText(pending)).toBe('Order ABC-123 is pending (not paid); only paid orders can be shipped.');
      expect(await orderRow('ABC-123')).toMatchObject({ status: 'pending', carrier: null, shipped_at: null });
      const shipped = await call('mark_shipped', { order_id: 'XYZ-789', carrier: 'FedEx', tracking_number: '123' });
      expect(resultText(shipped)).toMatch(
        /XYZ-789 is shipped: .* UPS, tracking 1Z999AA10123456784; only paid orders can be shipped/,
      );
      expect(await orderRow('XYZ-789')).toMatchObject({ carrier: 'UPS', tracking_number: '1Z999AA10123456784' });
    });
  });

  describe('refund_order', () => {
    // Invariant: refunds never exceed what was paid, and the refund payments always sum to refunded_cents.
    it('refunds partially, refuses more than the rest, then refunds the rest and marks the order refunded', async () => {
      const partial = structured<RefundResult>(
        await call('refund_order', { order_id: 'XYZ-798', amount: 25.5, reason: 'scratched clasp' }),
      );
      expect(partial.refund.amount_cents).toBe(2_550);
      expect(partial.order).toMatchObject({
        status: 'paid',
        payments: { refunded_cents: 2_550, refundable_cents: 71_950, refundable: '719.50' },
      });

      const over = await call('refund_order', { order_id: 'XYZ-798', amount: 800, reason: 'too much' });
      expect(over.isError).toBe(true);
      expect(resultText(over)).toMatch(
        /Cannot refund \$800\.00 on order XYZ-798: at most \$719\.50 is refundable \(paid \$745\.00, already refunded \$25\.50\)/,
      );

      const rest = structured<RefundResult>(
        await call('refund_order', { order_id: 'XYZ-798', amount: 719.5, reason: 'returned' }),
      );
      expect(rest.order).toMatchObject({
        status: 'refunded',
        payments: { refunded_cents: 74_500, refundable_cents: 0 },
      });

      const row = await orderRow('XYZ-798');
      const refunds = (await paymentsOf('XYZ-798')).filter((payment) => payment.kind === 'refund');
      expect(row).toMatchObject({ status: 'refunded', paid_cents: 74_500, refunded_cents: 74_500 });
      expect(refunds.reduce((sum, payment) => sum + payment.amount_cents, 0)).toBe(row.refunded_cents);
      expect(refunds).toHaveLength(2);

      const more = await call('refund_order', { order_id: 'XYZ-798', amount: 1, reason: 'again' });
      expect(resultText(more)).toMatch(/XYZ-798 is already fully refunded; there is nothing to refund/);
    });

    it('converts dollars to cents exactly and refuses unpaid orders', async () => {
      // 19.99 * 100 is 1998.9999999999998 in floating point.
      const exact = structured<RefundResult>(
        await call('refund_order', { order_id: 'XYZ-800', amount: 19.99, reason: 'goodwill' }),
      );
      expect(exact.refund.amount_cents).toBe(1_999);
      expect((await orderRow('XYZ-800')).refunded_cents).toBe(1_999);
      const pending = await call('refund_order', { order_id: 'ABC-123', amount: 10, reason: 'x' });
      expect(resultText(pending)).toMatch(/ABC-123 is pending \(not paid\); there is nothing to refund/);
    });

    it('refunds once per idempotency key and returns the first result again', async () => {
      const args = { order_id: 'XYZ-796', amount: 10, reason: 'idempotent goodwill', idempotency_key: 'refund-796-a' };
      const first = structured<RefundResult>(await call('refund_order', args));
      const second = structured<RefundResult>(await call('refund_order', args));
      expect(first.replayed).toBe(false);
      expect(second.replayed).toBe(true);
      expect(withoutReplayed(second)).toEqual(withoutReplayed(first));
      const refunds = (await paymentsOf('XYZ-796')).filter((payment) => payment.kind === 'refund');
      expect(refunds.map((payment) => [payment.id, payment.amount_cents])).toEqual([[first.refund.payment_id, 1_000]]);
      expect((await orderRow('XYZ-796')).refunded_cents).toBe(1_000);

      const reused = await call('refund_order', { ...args, amount: 20 });
      expect(resultText(reused)).toMatch(
        /idempotency_key 'refund-796-a' was already used for a different refund_order call/,
      );
      expect((await orderRow('XYZ-796')).refunded_cents).toBe(1_000);
    });

    it('refunds once when two clients send the same key at the same time', async () => {
      const other = await harness().connectAnother();
      try {
        const args = { order_id: 'XYZ-796', amount: 5, reason: 'concurrent', idempotency_key: 'refund-796-race' };
        const results = await Promise.all([call('refund_order', args), other.call('refund_order', args)]);
        const [one, two] = results.map((result) => structured<RefundResult>(result));
        expect(one!.refund.payment_id).toBe(two!.refund.payment_id);
        expect([one!.replayed, two!.replayed].sort()).toEqual([false, true]);
        expect((await orderRow('XYZ-796')).refunded_cents).toBe(1_500);
      } finally {
        await other.close();
      }
    });

    // Invariant: concurrent refunds without a key neither get lost nor applied twice; payments still sum to refunded_cents.
    it('applies two concurrent refunds from two clients exactly once each', async () => {
      const other = await harness().connectAnother();
      try {
        const before = (await orderRow('XYZ-800')).refunded_cents;
        const args = { order_id: 'XYZ-800', amount: 1, reason: 'concurrent goodwill' };
        const results = await Promise.all([call('refund_order', args), other.call('refund_order', args)]);
        for (const result of results) expect(result.isError, resultText(result)).toBeFalsy();
        const row = await orderRow('XYZ-800');
        const refunds = (await paymentsOf('XYZ-800')).filter((payment) => payment.kind === 'refund');
        expect(row.refunded_cents).toBe(before + 200);
        expect(refunds.reduce((sum, payment) => sum + payment.amount_cents, 0)).toBe(row.refunded_cents);
      } finally {
        await other.close();
      }
    });
  });

  describe('cancel_order', () => {
    it('cancels a paid order once per key: full refund, every line restocked, one movement per line', async () => {
      const before = { diamond: await stockOf('EAR-DIA-05'), kit: await stockOf('CLN-KIT-01') };
      const args = { order_id: 'XYZ-795', reason: 'customer changed her mind', idempotency_key: 'cancel-795' };
      const first = structured<CancelResult>(await call('cancel_order', args));
      const second = structured<CancelResult>(await call('cancel_order', args));
      expect(withoutReplayed(second)).toEqual(withoutReplayed(first));
      expect(second.replayed).toBe(true);
      expect(first.refund?.amount_cents).toBe(102_800);
      expect(first.restocked).toEqual([
        { sku: 'EAR-DIA-05', quantity: 1, stock_after: before.diamond + 1 },
        { sku: 'CLN-KIT-01', quantity: 2, stock_after: before.kit + 2 },
      ]);

      const row = await orderRow('XYZ-795');
      expect(row).toMatchObject({ status: 'cancelled', paid_cents: 102_800, refunded_cents: 102_800 });
      expect(row.cancelled_at).not.toBeNull();
      expect((await paymentsOf('XYZ-795')).filter((payment) => payment.kind === 'refund')).toHaveLength(1);
      expect({ diamond: await stockOf('EAR-DIA-05'), kit: await stockOf('CLN-KIT-01') }).toEqual({
        diamond: before.diamond + 1,
        kit: before.kit + 2,
      });
      const movements = await harness()
        .db.selectFrom('inventory_movements')
        .select(['sku', 'delta'])
        .where('reason', 'like', 'Order XYZ-795 cancelled%')
        .execute();
      expect(movements.sort((left, right) => left.sku.localeCompare(right.sku))).toEqual([
        { sku: 'CLN-KIT-01', delta: 2 },
        { sku: 'EAR-DIA-05', delta: 1 },
      ]);
    });

    it('cancels a pending order without a refund, and refuses to cancel it twice', async () => {
      const before = await stockOf('EAR-GLD-HP');
      const result = structured<CancelResult>(
        await call('cancel_order', { order_id: 'XYZ-799', reason: 'duplicate order' }),
      );
      expect(result.refund).toBeNull();
      expect(await stockOf('EAR-GLD-HP')).toBe(before + 2);
      expect(await paymentsOf('XYZ-799')).toEqual([]);
      const again = await call('cancel_order', { order_id: 'XYZ-799', reason: 'duplicate order' });
      expect(resultText(again)).toMatch(/XYZ-799 is cancelled; only pending or paid orders can be cancelled/);
      expect(await stockOf('EAR-GLD-HP')).toBe(before + 2);
    });

    it('refuses a shipped order and points to refund_order', async () => {
      const result = await call('cancel_order', { order_id: 'XYZ-789', reason: 'never arrived' });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(
        /Order XYZ-789 is shipped; only pending or paid orders can be cancelled\. .*refund_order/,
      );
      expect(await orderRow('XYZ-789')).toMatchObject({ status: 'shipped', cancelled_at: null, refunded_cents: 0 });
    });
  });
}
