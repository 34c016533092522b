import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend, resultText, type ServerHarness, structured } from '../testing/server-harness.js';
import type { CustomerProfile, CustomerSummary } from './schemas.js';

interface CustomerPage {
  customers: CustomerSummary[];
  next_cursor: string | null;
}

const ids = (page: CustomerPage) => page.customers.map((customer) => customer.id);

/** Every page of `tool` with `args`, following next_cursor to the end. */
async function walk(
  crm: ServerHarness,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ ids: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = structured<CustomerPage>(await crm.call(tool, { ...args, ...(cursor ? { cursor } : {}) }));
    seen.push(...ids(page));
    cursor = page.next_cursor ?? undefined;
    pages++;
  } while (cursor && pages < 50);
  return { ids: seen, pages };
}

/** The same behaviour on every store: SQLite through the real stdio server, PostgreSQL in-process. */
function crmContract(name: string, open: () => Promise<ServerHarness>): void {
  describe(`crm server: ${name}`, () => {
    let crm: ServerHarness;
    const unique = randomUUID().slice(0, 8);
    beforeAll(async () => {
      crm = await open();
    });
    afterAll(async () => {
      await crm?.close();
    });

    describe('tools/list', () => {
      it('offers the reads as read-only and update_customer as a destructive, idempotent side effect', async () => {
        const { tools } = await crm.client.listTools();
        const byName = new Map(tools.map((tool) => [tool.name, tool]));
        expect([...byName.keys()].sort()).toEqual([
          'getCustomerEmail',
          'get_customer',
          'list_customers',
          'search_customers',
          'update_customer',
        ]);
        for (const read of ['get_customer', 'list_customers', 'search_customers', 'getCustomerEmail']) {
          expect(byName.get(read)?.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
          expect(byName.get(read)?.outputSchema).toBeDefined();
        }
        expect(byName.get('update_customer')?.annotations).toMatchObject({
          readOnlyHint: false,
          destructiveHint: true,
          idempotentHint: true,
          openWorldHint: false,
        });
        expect(byName.get('search_customers')?.inputSchema).toMatchObject({ required: ['query'] });
        expect(byName.get('getCustomerEmail')?.inputSchema).toMatchObject({ required: ['order_id'] });
      });
    });

    describe('get_customer', () => {
      it('returns the customer with order count and lifetime value (paid minus refunded)', async () => {
        const lisa = await crm.call('get_customer', { customer_id: 'C-1001' });
        expect(structured<CustomerProfile>(lisa)).toMatchObject({
          id: 'C-1001',
          name: 'Lisa Park',
          email: 'lisa.park@example.com',
          phone: '+1-415-555-0101',
          city: 'San Francisco',
          tier: 'vip',
          order_count: 2,
          lifetime_value_cents: 144_400,
          lifetime_value: '$1444.00',
        });
        expect(resultText(lisa)).toBe(
          'C-1001 Lisa Park <lisa.park@example.com>, +1-415-555-0101, San Francisco, vip. 2 orders, lifetime value $1444.00 (paid minus refunded).',
        );
        // XYZ-794 was refunded in full: one order, nothing kept.
        expect(structured<CustomerProfile>(await crm.call('get_customer', { customer_id: 'C-1007' }))).toMatchObject({
          order_count: 1,
          lifetime_value_cents: 0,
        });
      });

      it('accepts the id in lower case or without the dash', async () => {
        for (const customer_id of ['c-1005', 'C1005', ' c1005 ']) {
          expect(structured<CustomerProfile>(await crm.call('get_customer', { customer_id }))).toMatchObject({
            id: 'C-1005',
            order_count: 2,
            lifetime_value_cents: 309_900,
          });
        }
      });

      it('answers an unknown id with the closest ids and their names', async () => {
        const result = await crm.call('get_customer', { customer_id: 'C-1000' });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toBe(
          'No customer C-1000. Did you mean C-1001 (Lisa Park), C-1002 (Marcus Chen), C-1003 (Priya Raman)? ' +
            'To find a customer by name, email or phone, use search_customers.',
        );
        expect(resultText(result)).toContain('search_customers');
      });

      it('points a name or an email given as the id at search_customers', async () => {
        for (const customer_id of ['Lisa Park', 'lisa.park@example.com']) {
          const result = await crm.call('get_customer', { customer_id });
          expect(result.isError).toBe(true);
          expect(resultText(result)).toMatch(
            /customer ids look like C-1001\. To find a customer by name, email or phone, use search_customers/,
          );
        }
      });

      it('rejects an empty or oversized id as a tool error', async () => {
        for (const customer_id of ['', '  ', 'C-'.padEnd(65, '1')]) {
          const result = await crm.call('get_customer', { customer_id });
          expect(result.isError).toBe(true);
          expect(resultText(result)).toMatch(/customer_id/);
        }
      });
    });

    describe('list_customers', () => {
      it('walks every customer in id order, page by page, with no duplicates or gaps', async () => {
        const all = structured<CustomerPage>(await crm.call('list_customers', { limit: 100 }));
        expect(all.next_cursor).toBeNull();
        expect(ids(all)).toEqual([...ids(all)].sort());
        expect(ids(all).slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, index) => `C-${1001 + index}`));
        for (const limit of [1, 5, 12]) {
          const walked = await walk(crm, 'list_customers', { limit });
          expect(walked.ids).toEqual(ids(all));
          expect(walked.pages).toBe(Math.ceil(all.customers.length / limit));
        }
      });

      it('filters by tier and by city, whole name in any case', async () => {
        expect(ids(structured<CustomerPage>(await crm.call('list_customers', { tier: 'vip' })))).toEqual([
          'C-1001',
          'C-1005',
          'C-1008',
          'C-1012',
        ]);
        const austin = structured<CustomerPage>(await crm.call('list_customers', { city: 'AUSTIN' }));
        expect(austin.customers).toEqual([
          {
            id: 'C-1011',
            name: 'Lisa Parker',
            email: 'lisa.parker@example.com',
            phone: '+1-512-555-0133',
            city: 'Austin',
            tier: 'standard',
          },
        ]);
        expect(ids(structured<CustomerPage>(await crm.call('list_customers', { city: 'Aust' })))).toEqual([]);
        const vipInSf = await crm.call('list_customers', { tier: 'vip', city: 'San Francisco' });
        expect(ids(structured<CustomerPage>(vipInSf))).toEqual(['C-1001']);
        expect(resultText(await crm.call('list_customers', { tier: 'standard', city: 'Atlantis' }))).toBe(
          'No customers with tier standard, city Atlantis.',
        );
      });

      it('rejects a tampered cursor, an unknown tier and an out-of-range limit as tool errors', async () => {
        const cursor = await crm.call('list_customers', { cursor: 'not-a-cursor' });
        expect(cursor.isError).toBe(true);
        expect(resultText(cursor)).toMatch(/cursor is not valid/);
        for (const args of [{ tier: 'gold' }, { limit: 0 }, { limit: 101 }, { city: 'x'.repeat(101) }]) {
          expect((await crm.call('list_customers', args)).isError).toBe(true);
        }
      });
    });

    describe('search_customers', () => {
      it('finds both Lisas by a partial, case-insensitive name', async () => {
        for (const query of ['Lisa Par', 'lisa par', 'LISA PAR', '  Lisa Par  ']) {
          const page = structured<CustomerPage & { query: string }>(await crm.call('search_customers', { query }));
          expect(ids(page)).toEqual(['C-1001', 'C-1011']);
          expect(page.query).toBe(query.trim());
        }
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: 'Lisa Parker' })))).toEqual([
          'C-1011',
        ]);
      });

      it('matches email and phone, the phone also digit for digit', async () => {
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: 'PARKER@EXAMPLE' })))).toEqual([
          'C-1011',
        ]);
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: '555-0101' })))).toEqual([
          'C-1001',
        ]);
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: '4155550101' })))).toEqual([
          'C-1001',
        ]);
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: '(512) 555' })))).toEqual([
          'C-1011',
        ]);
      });

      it('treats % and _ in the query as literal characters', async () => {
        const id = `C-9${unique.replace(/\D/g, '').padEnd(4, '0').slice(0, 4)}`;
        await crm.insert('customers', {
          id,
          name: `Fifty% Off_Club ${unique}`,
          email: `club-${unique}@example.org`,
          phone: null,
          city: null,
          tier: 'standard',
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
        });
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: '% Off_' })))).toEqual([id]);
        expect(ids(structured<CustomerPage>(await crm.call('search_customers', { query: 'fifty%' })))).toEqual([id]);
        // As LIKE patterns these would match every customer, or Lisa Park.
        for (const query of ['%%', '__', 'Lis_ Park', 'Lisa%Park']) {
          const page = await crm.call('search_customers', { query });
          expect(ids(structured<CustomerPage>(page))).toEqual([]);
          expect(resultText(page)).toMatch(/^No customer's name, email or phone contains/);
        }
      });

      it('pages through many matches in id order without duplicates or gaps', async () => {
        const all = structured<CustomerPage>(await crm.call('search_customers', { query: 'example.com', limit: 100 }));
        expect(all.customers.length).toBeGreaterThanOrEqual(12);
        const walked = await walk(crm, 'search_customers', { query: 'example.com', limit: 5 });
        expect(walked.ids).toEqual(ids(all));
        expect(new Set(walked.ids).size).toBe(walked.ids.length);
      });

      it('rejects a query shorter than 2 or longer than 100 characters', async () => {
        for (const query of ['L', ' L ', 'x'.repeat(101)]) {
          const result = await crm.call('search_customers', { query });
          expect(result.isError).toBe(true);
          expect(resultText(result)).toMatch(/query/);
        }
      });
    });

    describe('getCustomerEmail', () => {
      it('still returns the customer of order XYZ-789', async () => {
        expect(structured(await crm.call('getCustomerEmail', { order_id: 'xyz-789' }))).toEqual({
          order_id: 'XYZ-789',
          customer_id: 'C-1001',
          customer_name: 'Lisa Park',
          email: 'lisa.park@example.com',
        });
      });
    });
  });
}

await forEachBackend('crm server', ({ label, open }) => crmContract(label, () => open('crm')));

