import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, sentToolResults, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

let fake: FakeProvider<OpenAIRequest> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const toolOutputs = (request: OpenAIRequest) => sentToolResults(request);

describe('the operations servers end to end', () => {
  it('"Lisa Park says her order never arrived": search_customers → list_orders → add_note → create_issue', async () => {
    fake = await startOpenAIFake([
      { text: 'Let me find the customer.', toolCalls: [{ name: 'crm__search_customers', args: { query: 'Lisa Park' } }] },
      { toolCalls: [{ name: 'orders__list_orders', args: { customer_id: 'C-1001', status: 'shipped' } }] },
      {
        toolCalls: [
          { name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Customer reports the parcel never arrived (UPS 1Z999AA10123456784).', author: 'deckhand' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'issues__create_issue',
            args: { title: 'Order XYZ-789 not delivered', body: 'Lisa Park reports the UPS parcel never arrived; open a carrier trace.', priority: 'high', labels: ['delivery'], related_to: 'order:XYZ-789' },
          },
        ],
      },
      { text: 'I noted the report on XYZ-789 and opened an issue for a carrier trace.' },
    ]);
    const { home, cwd } = freshWorkspace();
    const result = await runCli(
      ['run', 'Lisa Park says her order never arrived — check it, add a note and open an issue', '--model', 'openai:gpt-4.1-mini', '--yes', '--json'],
      { env: cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` }), cwd },
    );
    expect(result.code).toBe(0);
    const events = parseJsonLines(result.stdout);
    expect(events.filter((event) => event.type === 'tool-call').map((event) => `${event.server}.${event.tool}`)).toEqual([
      'crm.search_customers',
      'orders.list_orders',
      'notes.add_note',
      'issues.create_issue',
    ]);
    expect(events.filter((event) => event.type === 'tool-error')).toEqual([]);
    // Each step saw the previous results: the customer id, then the shipped order.
    expect(toolOutputs(fake.requests[1]!.body).join('\n')).toContain('C-1001');
    expect(toolOutputs(fake.requests[2]!.body).join('\n')).toContain('XYZ-789');

    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      expect(db.prepare("select text, author from notes where entity_type = 'order' and entity_id = 'XYZ-789' and id not like 'N-000%'").all()).toEqual([
        { text: 'Customer reports the parcel never arrived (UPS 1Z999AA10123456784).', author: 'deckhand' },
      ]);
      expect(db.prepare("select title, priority, related_to, status from issues where related_to = 'order:XYZ-789'").all()).toEqual([
        { title: 'Order XYZ-789 not delivered', priority: 'high', related_to: 'order:XYZ-789', status: 'open' },
      ]);
      // Side effects went through idempotency keys derived from the run and the call.
      const keys = db.prepare('select key, tool from idempotency_keys').all() as Array<{ key: string; tool: string }>;
      const runId = events[0]!.runId as string;
      expect(keys.map((key) => key.key.startsWith(`${runId}:`))).toEqual(keys.map(() => true));
      expect(keys.length).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  });
});
