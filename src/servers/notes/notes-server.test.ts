import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachBackend, resultText, type ServerHarness, structured } from '../testing/server-harness.js';

interface NotesPage {
  entity: string;
  notes: Array<{ id: string; text: string; author: string; created_at: string }>;
  next_cursor: string | null;
}
interface AddedNote {
  id: string;
  entity: string;
  text: string;
  author: string;
  created_at: string;
  replayed: boolean;
}

/** The same behaviour on every store: SQLite through the real stdio server, PostgreSQL in-process. */
function notesContract(name: string, open: () => Promise<ServerHarness>): void {
  describe(`notes server: ${name}`, () => {
    let notes: ServerHarness;
    const unique = randomUUID().slice(0, 8);
    beforeAll(async () => {
      notes = await open();
    });
    afterAll(async () => {
      await notes?.close();
    });

    describe('tools/list', () => {
      it('offers get_notes read-only and add_note as a non-destructive, non-idempotent side effect', async () => {
        const { tools } = await notes.client.listTools();
        const byName = new Map(tools.map((tool) => [tool.name, tool]));
        expect([...byName.keys()].sort()).toEqual(['add_note', 'get_notes']);
        expect(byName.get('get_notes')?.annotations).toMatchObject({ readOnlyHint: true });
        expect(byName.get('add_note')?.annotations).toMatchObject({
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: false,
        });
        expect(byName.get('add_note')?.inputSchema).toMatchObject({
          required: expect.arrayContaining(['entity', 'text']),
        });
        expect(byName.get('get_notes')?.outputSchema).toBeDefined();
      });
    });

    describe('get_notes', () => {
      it('reads the notes on a customer, by typed or bare id', async () => {
        for (const entity of ['customer:C-1001', 'C-1001', 'Customer: c-1001']) {
          const page = structured<NotesPage>(await notes.call('get_notes', { entity }));
          expect(page.entity).toBe('customer:C-1001');
          expect(page.notes[0]).toMatchObject({
            id: 'N-0001',
            author: 'sam@store',
            text: expect.stringContaining('Prefers email'),
          });
          expect(page.next_cursor).toBeNull();
        }
      });

      it('infers an order or a SKU from a bare id by looking it up, and an issue from its shape', async () => {
        expect(structured<NotesPage>(await notes.call('get_notes', { entity: 'xyz-790' }))).toMatchObject({
          entity: 'order:XYZ-790',
          notes: [expect.objectContaining({ id: 'N-0002' })],
        });
        expect(structured<NotesPage>(await notes.call('get_notes', { entity: 'PND-EMR-01' }))).toMatchObject({
          entity: 'sku:PND-EMR-01',
          notes: [expect.objectContaining({ id: 'N-0003' })],
        });
        const issue = await notes.call('get_notes', { entity: 'ISS-103' });
        expect(structured<NotesPage>(issue)).toEqual({ entity: 'issue:ISS-103', notes: [], next_cursor: null });
        expect(resultText(issue)).toBe('No notes on issue:ISS-103.');
      });

      it('answers an unknown entity with an error that suggests real ids', async () => {
        const order = await notes.call('get_notes', { entity: 'order:XYZ-000' });
        expect(order.isError).toBe(true);
        expect(resultText(order)).toMatch(/^No order XYZ-000; did you mean XYZ-\d{3}(, XYZ-\d{3}){2}\?/);
        const sku = await notes.call('get_notes', { entity: 'sku:RNG-14K-7' });
        expect(resultText(sku)).toMatch(/^No SKU RNG-14K-7; did you mean RNG-14K-07/);
        const customer = await notes.call('get_notes', { entity: 'customer:C-1000' });
        expect(resultText(customer)).toMatch(/^No customer C-1000; did you mean .*C-1001 \(Lisa Park\)/);
        const bare = await notes.call('get_notes', { entity: 'XYZ-78' });
        expect(bare.isError).toBe(true);
        expect(resultText(bare)).toMatch(/^No customer, order, issue or SKU XYZ-78; did you mean XYZ-789/);
        const kind = await notes.call('get_notes', { entity: 'vendor:V-1' });
        expect(kind.isError).toBe(true);
        expect(resultText(kind)).toMatch(/Unknown entity type 'vendor'.*customer:, order:, issue:, sku:/);
      });
    });

    describe('add_note', () => {
      it('adds a note to an existing entity, which get_notes then shows first', async () => {
        const text = `Customer called about delivery ${unique}`;
        const added = structured<AddedNote>(
          await notes.call('add_note', { entity: 'order:xyz-789', text, author: 'dana@store' }),
        );
        expect(added).toMatchObject({
          entity: 'order:XYZ-789',
          text,
          author: 'dana@store',
          replayed: false,
          id: expect.stringMatching(/^N-/),
        });
        const page = structured<NotesPage>(await notes.call('get_notes', { entity: 'XYZ-789' }));
        expect(page.notes[0]).toEqual({ id: added.id, text, author: 'dana@store', created_at: added.created_at });
        expect(await notes.count('notes', { entity_type: 'order', entity_id: 'XYZ-789', text })).toBe(1);
      });

      it('defaults the author to deckhand', async () => {
        const added = structured<AddedNote>(
          await notes.call('add_note', { entity: 'C-1002', text: `Prefers phone ${unique}` }),
        );
        expect(added).toMatchObject({ entity: 'customer:C-1002', author: 'deckhand' });
      });

      it('refuses an unknown entity with a suggestion and adds nothing', async () => {
        const before = await notes.count('notes', {});
        const result = await notes.call('add_note', { entity: 'order:XYZ-000', text: 'should not be stored' });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/^No order XYZ-000; did you mean /);
        expect(await notes.count('notes', {})).toBe(before);
      });

      it('rejects malformed or oversized input as a tool error and keeps serving', async () => {
        const bad: Array<[Record<string, unknown>, RegExp]> = [
          [{ entity: 'C-1001', text: '' }, /text/],
          [{ entity: 'C-1001', text: '   ' }, /text/],
          [{ entity: 'C-1001', text: 'x'.repeat(4_001) }, /text/],
          [{ entity: 'C-1001', text: 'ok', author: 'a'.repeat(101) }, /author/],
          [{ text: 'no entity' }, /entity/],
          [{ entity: 'C'.repeat(121), text: 'ok' }, /entity/],
          [{ entity: 'C-1001', text: 'ok', idempotency_key: 'k'.repeat(201) }, /idempotency_key/],
        ];
        const before = await notes.count('notes', {});
        for (const [args, message] of bad) {
          const result = await notes.call('add_note', args);
          expect(result.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
          expect(resultText(result)).toMatch(message);
        }
        for (const args of [
          { entity: 'C-1001', limit: 0 },
          { entity: 'C-1001', limit: 101 },
          { entity: 'C-1001', cursor: 'not-a-cursor' },
        ]) {
          expect((await notes.call('get_notes', args)).isError).toBe(true);
        }
        expect(await notes.count('notes', {})).toBe(before);
        expect((await notes.call('get_notes', { entity: 'C-1001' })).isError).toBeFalsy();
      });
    });

    describe('pagination', () => {
      it('walks pages of 2 newest first with no duplicates or gaps, ties broken by id', async () => {
        // Three notes with the same timestamp: only the (created_at, id) keyset keeps their order stable.
        for (const suffix of ['A', 'B', 'C']) {
          await notes.insert('notes', {
            id: `N-TIE-${unique}-${suffix}`,
            entity_type: 'sku',
            entity_id: 'RNG-14K-07',
            text: `tie ${suffix}`,
            author: 'fixture',
            created_at: '2026-11-20T00:00:00.000Z',
          });
        }
        for (const index of [1, 2])
          await notes.call('add_note', { entity: 'sku:RNG-14K-07', text: `restock note ${index}` });
        const all = structured<NotesPage>(
          await notes.call('get_notes', { entity: 'sku:RNG-14K-07', limit: 100 }),
        ).notes;
        expect(all.length).toBeGreaterThanOrEqual(5);
        const sorted = [...all].sort(
          (left, right) => right.created_at.localeCompare(left.created_at) || right.id.localeCompare(left.id),
        );
        expect(all).toEqual(sorted);

        const walked: string[] = [];
        let cursor: string | null | undefined;
        let pages = 0;
        do {
          const page = structured<NotesPage>(
            await notes.call('get_notes', { entity: 'sku:RNG-14K-07', limit: 2, ...(cursor ? { cursor } : {}) }),
          );
          expect(page.notes.length).toBeLessThanOrEqual(2);
          walked.push(...page.notes.map((note) => note.id));
          if (pages === 0) await notes.call('add_note', { entity: 'sku:RNG-14K-07', text: 'added mid-walk' }); // newer: must not shift later pages
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < 20);
        expect(walked).toEqual(all.map((note) => note.id));
        expect(pages).toBe(Math.ceil(all.length / 2));
      });
    });

    describe('idempotency', () => {
      it('adds once per idempotency_key and replays the first result', async () => {
        const key = `notes-${unique}-1`;
        const args = { entity: 'order:XYZ-791', text: `Left a voicemail ${unique}`, idempotency_key: key };
        const first = structured<AddedNote>(await notes.call('add_note', args));
        const second = await notes.call('add_note', args);
        expect(resultText(second)).toMatch(/^Already added \(same idempotency_key\)/);
        expect(structured<AddedNote>(second)).toEqual({ ...first, replayed: true });
        expect(await notes.count('notes', { text: args.text })).toBe(1);
        expect(await notes.count('idempotency_keys', { key, tool: 'notes.add_note' })).toBe(1);
      });

      it('adds once when the same key arrives concurrently', async () => {
        const args = { entity: 'C-1003', text: `Concurrent ${unique}`, idempotency_key: `notes-${unique}-2` };
        const results = await Promise.all([1, 2, 3].map(() => notes.call('add_note', args)));
        const ids = new Set(results.map((result) => structured<AddedNote>(result).id));
        expect(ids.size).toBe(1);
        expect(await notes.count('notes', { text: args.text })).toBe(1);
      });

      it('records nothing for a failed call, so a corrected retry with the same key succeeds', async () => {
        const key = `notes-${unique}-3`;
        expect(
          (await notes.call('add_note', { entity: 'order:XYZ-000', text: 'typo', idempotency_key: key })).isError,
        ).toBe(true);
        expect(await notes.count('idempotency_keys', { key })).toBe(0);
        const retried = structured<AddedNote>(
          await notes.call('add_note', { entity: 'order:XYZ-800', text: `fixed ${unique}`, idempotency_key: key }),
        );
        expect(retried).toMatchObject({ entity: 'order:XYZ-800', replayed: false });
      });
    });
  });
}

await forEachBackend('notes server', ({ label, open }) => notesContract(label, () => open('notes')));

