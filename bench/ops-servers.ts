/**
 * @module The operations servers under load: read-tool round trips over stdio with 100,000 orders in the
 * store, against the bare SDK echo server reached through the same `McpHost` in the same process (so the
 * difference is what our server does per call), and the write throughput of `notes.add_note`.
 */
import type { Insertable, Kysely } from 'kysely';
import type { StdioServerConfig } from '../src/config/schema.js';
import { McpHost } from '../src/mcp/host.js';
import { openStore } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';
import type { OrderLineTable, OrderTable } from '../src/servers/orders/tables.js';
import { DEMO_CUSTOMERS } from '../src/servers/crm/seed.js';
import { DEMO_INVENTORY } from '../src/servers/orders/seed.js';
import { preparedHome, repoFile } from './fixtures.js';
import type { BenchResources } from './resources.js';
import { round, type Summary, summarize } from './stats.js';

export const BULK_ORDERS = 100_000;
const INSERT_BATCH = 500;
const WARMUP_CALLS = 200;
const TIMED_CALLS = 2_000;
const NOTE_WRITES = 2_000;
const CONCURRENT_WRITERS = 8;

export interface OpsServersResult {
  readonly orders: number;
  readonly seedSeconds: number;
  /** Microseconds per call. */
  readonly echoUs: Summary;
  readonly getOrderUs: Summary;
  readonly listOrdersByCustomerUs: Summary;
  readonly searchCustomersUs: Summary;
  /** get_order p50 minus echo p50: our server's work per read. */
  readonly getOrderOverEchoP50Us: number;
  readonly listOrdersOverEchoP50Us: number;
  readonly addNoteSequentialPerSecond: number;
  readonly addNoteConcurrentPerSecond: number;
  readonly addNoteUs: Summary;
}

/** Inserts `count` orders (one line each) spread over the demo customers and SKUs, in batched transactions. */
async function insertBulkOrders(db: Kysely<Database>, count: number): Promise<void> {
  const createdBase = Date.parse('2025-01-01T00:00:00.000Z');
  for (let start = 0; start < count; start += INSERT_BATCH) {
    const orders: Insertable<OrderTable>[] = [];
    const lines: Insertable<OrderLineTable>[] = [];
    for (let index = start; index < Math.min(count, start + INSERT_BATCH); index++) {
      const id = `ORD-${String(index + 1).padStart(6, '0')}`;
      const customer = DEMO_CUSTOMERS[index % DEMO_CUSTOMERS.length]!;
      const item = DEMO_INVENTORY[index % DEMO_INVENTORY.length]!;
      const created = new Date(createdBase + index * 60_000).toISOString();
      orders.push({
        id,
        customer_id: customer.id,
        status: 'paid' as const,
        total_cents: item.price_cents,
        paid_cents: item.price_cents,
        refunded_cents: 0,
        carrier: null,
        tracking_number: null,
        created_at: created,
        updated_at: created,
        shipped_at: null,
        cancelled_at: null,
      });
      lines.push({ order_id: id, line_no: 1, sku: item.sku, name: item.name, quantity: 1, unit_price_cents: item.price_cents });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values(orders).execute();
      await trx.insertInto('order_lines').values(lines).execute();
    });
  }
}

async function timeCalls(count: number, call: (index: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await call(index);
    samples.push((performance.now() - started) * 1_000);
  }
  return samples;
}

/** Runs the operations-server benchmark; about 20 s on two shared cores, most of it inserting the orders. */
export async function benchOpsServers(resources: BenchResources): Promise<OpsServersResult> {
  const { home, servers } = await preparedHome(resources);
  const seedStarted = performance.now();
  const store = await openStore({ file: `${home}/deckhand.db` });
  try {
    await insertBulkOrders(store.db, BULK_ORDERS);
  } finally {
    await store.close();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1_000;

  const echo: StdioServerConfig = { command: process.execPath, args: [repoFile('bench', 'echo-server.mjs')], env: {} };
  const host = await McpHost.start({ servers: { orders: servers.orders!, notes: servers.notes!, crm: servers.crm!, echo } });
  const close = resources.adopt(() => host.close());
  try {
    const failure = host.failures()[0];
    if (failure) throw new Error(`server ${failure.name} failed: ${failure.error}`);
    let callId = 0;
    const call = async (tool: string, input: Record<string, unknown>) => {
      const outcome = await host.call(tool, input, { toolCallId: `bench-${++callId}` });
      if (outcome.isError) throw new Error(`${tool} failed: ${outcome.text}`);
    };
    const orderId = (index: number) => `ORD-${String(((index * 7_919) % BULK_ORDERS) + 1).padStart(6, '0')}`;
    const customerId = (index: number) => DEMO_CUSTOMERS[index % DEMO_CUSTOMERS.length]!.id;
    const reads = {
      echo: (index: number) => call('echo__echo', { text: orderId(index) }),
      getOrder: (index: number) => call('orders__get_order', { order_id: orderId(index) }),
      listOrders: (index: number) => call('orders__list_orders', { customer_id: customerId(index), limit: 20 }),
      search: (index: number) => call('crm__search_customers', { query: DEMO_CUSTOMERS[index % DEMO_CUSTOMERS.length]!.name.slice(0, 5) }),
    };
    for (const read of Object.values(reads)) for (let index = 0; index < WARMUP_CALLS; index++) await read(index);
    // Interleave the variants in rounds so noise on the shared cores lands on all of them.
    const samples = { echo: [] as number[], getOrder: [] as number[], listOrders: [] as number[], search: [] as number[] };
    for (let roundIndex = 0; roundIndex < 10; roundIndex++) {
      for (const key of Object.keys(reads) as Array<keyof typeof reads>) {
        samples[key].push(...(await timeCalls(TIMED_CALLS / 10, (index) => reads[key](roundIndex * 1_000 + index))));
      }
    }

    const noteSamples = await timeCalls(NOTE_WRITES, (index) =>
      call('notes__add_note', { entity: `order:${orderId(index)}`, text: `Bench note ${index}`, author: 'bench', idempotency_key: `bench-seq-${index}` }),
    );
    const sequentialSeconds = noteSamples.reduce((sum, sample) => sum + sample, 0) / 1_000_000;
    const concurrentStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_WRITERS }, async () => {
        while (next < NOTE_WRITES) {
          const index = next++;
          await call('notes__add_note', { entity: `order:${orderId(index)}`, text: `Concurrent note ${index}`, author: 'bench', idempotency_key: `bench-par-${index}` });
        }
      }),
    );
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1_000;

    const echoUs = summarize(samples.echo);
    const getOrderUs = summarize(samples.getOrder);
    const listOrdersByCustomerUs = summarize(samples.listOrders);
    return {
      orders: BULK_ORDERS,
      seedSeconds: round(seedSeconds),
      echoUs,
      getOrderUs,
      listOrdersByCustomerUs,
      searchCustomersUs: summarize(samples.search),
      getOrderOverEchoP50Us: round(getOrderUs.p50 - echoUs.p50),
      listOrdersOverEchoP50Us: round(listOrdersByCustomerUs.p50 - echoUs.p50),
      addNoteSequentialPerSecond: round(NOTE_WRITES / sequentialSeconds, 0),
      addNoteConcurrentPerSecond: round(NOTE_WRITES / concurrentSeconds, 0),
      addNoteUs: summarize(noteSamples),
    };
  } finally {
    await close();
  }
}
