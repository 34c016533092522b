import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend, resultText, type ServerHarness, structured } from '../testing/server-harness.js';
import type { CustomerProfile, UpdateResult } from './schemas.js';

/** update_customer on every store: SQLite through the real stdio server, PostgreSQL in-process. */
function updateContract(name: string, open: () => Promise<ServerHarness>): void {
  describe(`crm server: ${name}`, () => {
    let crm: ServerHarness;
    const unique = randomUUID().slice(0, 8);
    beforeAll(async () => {
      crm = await open();
    });
    afterAll(async () => {
      await crm?.close();
    });

    describe('update_customer', () => {
      it('changes only the given fields and returns each change before and after', async () => {
        const result = structured<UpdateResult>(
          await crm.call('update_customer', { customer_id: 'c-1003', phone: '+1 (312) 555-0100', city: 'Evanston' }),
        );
        expect(result).toEqual({
          customer_id: 'C-1003',
          changes: [
            { field: 'phone', before: '+1-312-555-0199', after: '+1 (312) 555-0100' },
            { field: 'city', before: 'Chicago', after: 'Evanston' },
          ],
          customer: {
            id: 'C-1003',
            name: 'Priya Raman',
            email: 'priya.raman@example.com',
            phone: '+1 (312) 555-0100',
            city: 'Evanston',
            tier: 'standard',
          },
          replayed: false,
        });
        const profile = structured<CustomerProfile>(await crm.call('get_customer', { customer_id: 'C-1003' }));
        expect(profile).toMatchObject({ phone: '+1 (312) 555-0100', city: 'Evanston', name: 'Priya Raman' });
        expect(profile.updated_at > profile.created_at).toBe(true);
      });

      it('lower-cases a new email, clears a field with null, and reports values that already match as no change', async () => {
        const email = structured<UpdateResult>(
          await crm.call('update_customer', { customer_id: 'C-1004', email: ` Daniel.O.${unique}@Example.COM ` }),
        );
        expect(email.changes).toEqual([
          { field: 'email', before: 'daniel.okafor@example.com', after: `daniel.o.${unique}@example.com` },
        ]);
        const cleared = structured<UpdateResult>(
          await crm.call('update_customer', { customer_id: 'C-1006', phone: null }),
        );
        expect(cleared.changes).toEqual([{ field: 'phone', before: '+1-617-555-0163', after: null }]);
        const same = await crm.call('update_customer', { customer_id: 'C-1006', tier: 'standard', city: 'Boston' });
        expect(structured<UpdateResult>(same).changes).toEqual([]);
        expect(resultText(same)).toMatch(/^C-1006 already had those values; nothing changed\./);
      });

      it('does the change once per idempotency key and replays the first result', async () => {
        const key = `upgrade-${unique}`;
        const args = { customer_id: 'C-1009', tier: 'vip', idempotency_key: key };
        const first = structured<UpdateResult>(await crm.call('update_customer', args));
        const second = await crm.call('update_customer', args);
        expect(first.changes).toEqual([{ field: 'tier', before: 'standard', after: 'vip' }]);
        expect(structured<UpdateResult>(second)).toEqual({ ...first, replayed: true });
        expect(resultText(second)).toMatch(/^Already done \(same idempotency_key\)/);
        expect(await crm.count('idempotency_keys', { key })).toBe(1);
        const other = await crm.call('update_customer', {
          customer_id: 'C-1009',
          tier: 'standard',
          idempotency_key: key,
        });
        expect(other.isError).toBe(true);
        expect(resultText(other)).toMatch(/already used for a different update_customer call; nothing was changed/);
        expect(structured<CustomerProfile>(await crm.call('get_customer', { customer_id: 'C-1009' })).tier).toBe('vip');
      });

      it('refuses an email that belongs to another customer, and an unknown customer, changing nothing', async () => {
        const taken = await crm.call('update_customer', {
          customer_id: 'C-1001',
          email: 'LISA.PARKER@example.com',
          idempotency_key: `taken-${unique}`,
        });
        expect(taken.isError).toBe(true);
        expect(resultText(taken)).toBe(
          'lisa.parker@example.com already belongs to C-1011 (Lisa Parker); nothing was changed. Each customer needs their own email.',
        );
        expect(await crm.count('idempotency_keys', { key: `taken-${unique}` })).toBe(0);
        const unknown = await crm.call('update_customer', { customer_id: 'C-1013', city: 'Oslo' });
        expect(unknown.isError).toBe(true);
        expect(resultText(unknown)).toMatch(
          /^No customer C-1013\. Did you mean C-1012 \(Grace Kim\), C-1011 \(Lisa Parker\), C-1010 \(Elena Petrova\)\?/,
        );
        expect(structured<CustomerProfile>(await crm.call('get_customer', { customer_id: 'C-1001' })).email).toBe(
          'lisa.park@example.com',
        );
      });

      it('rejects no fields, a malformed email or phone, and oversized values with errors that name the field', async () => {
        const none = await crm.call('update_customer', { customer_id: 'C-1002' });
        expect(resultText(none)).toBe(
          'Nothing to update: pass at least one of name, email, phone, city, tier with the new value.',
        );
        const cases: Array<[Record<string, unknown>, RegExp]> = [
          [{ email: 'not-an-email' }, /email[\s\S]*must be an email address/],
          [{ email: `${'x'.repeat(250)}@example.com` }, /email/],
          [{ phone: 'call me' }, /phone[\s\S]*must look like/],
          [{ phone: '12-34' }, /phone[\s\S]*7 to 15 digits/],
          [{ phone: '+1 555 555 555 555 555' }, /phone[\s\S]*7 to 15 digits/],
          [{ name: '' }, /name/],
          [{ name: 'x'.repeat(101) }, /name/],
          [{ tier: 'gold' }, /tier/],
        ];
        for (const [fields, message] of cases) {
          const result = await crm.call('update_customer', { customer_id: 'C-1002', ...fields });
          expect(result.isError, JSON.stringify(fields)).toBe(true);
          expect(resultText(result)).toMatch(message);
        }
        expect(structured<CustomerProfile>(await crm.call('get_customer', { customer_id: 'C-1002' }))).toMatchObject({
          name: 'Marcus Chen',
          email: 'marcus.chen@example.com',
          phone: '+1-212-555-0142',
        });
      });
    });
  });
}

await forEachBackend('crm server', ({ label, open }) => updateContract(label, () => open('crm')));

