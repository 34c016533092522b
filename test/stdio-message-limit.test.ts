import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { callerOf, freshDbFile, resultText, spawnBuiltinServer } from '../src/servers/testing/mcp-client.js';

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

const MiB = 1024 * 1024;

// Invariant: a built-in stdio server answers a message over its size limit with a JSON-RPC error and keeps serving.
describe('built-in stdio servers: message size limit', () => {
  it('answers a 10 MiB tools/call with an error naming the limit, then serves the next call', async () => {
    client = await spawnBuiltinServer('notes', freshDbFile('limit'));
    const call = callerOf(client);
    const huge = call('add_note', { entity: 'order:XYZ-789', text: 'x'.repeat(10 * MiB) });
    await expect(huge).rejects.toThrow(/too large.*4 MiB/i);
    const next = await call('get_notes', { entity: 'order:XYZ-789' });
    expect(next.isError, resultText(next)).toBeFalsy();
    // Under the limit, an over-long argument is the tool's business: a clean isError.
    const long = await call('add_note', { entity: 'order:XYZ-789', text: 'y'.repeat(3 * MiB) });
    expect(long.isError).toBe(true);
    expect((await call('get_notes', { entity: 'order:XYZ-789' })).isError).toBeFalsy();
  });
});
