/**
 * SessionStore in-process, on `:memory:` SQLite: a session's transcript is parsed with its schema on the way out,
 * never cast, so a damaged row is an error that names the session and the message.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelMessage } from '../models/types.js';
import { StoredDataError } from '../shared/errors.js';
import { openStore, type Store } from './database.js';
import { SessionStore } from './session-store.js';

let store: Store;
let sessions: SessionStore;

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: false });
  sessions = new SessionStore(store.db);
  await sessions.ensure('session-1', 'test');
});
afterEach(async () => {
  await store.close();
});

const transcript: ModelMessage[] = [
  { role: 'user', content: 'check order XYZ-789' },
  { role: 'assistant', text: '', toolCalls: [{ id: 'call-1', name: 'orders__get_order', input: { order_id: 'XYZ-789' } }] },
  { role: 'tool', results: [{ toolCallId: 'call-1', toolName: 'orders__get_order', output: '{"status":"shipped"}', isError: false, ranWith: { order_id: 'XYZ-789' } }] },
  { role: 'assistant', text: 'It shipped.', toolCalls: [] },
];

/** Stores `message` as the raw text of the session's next row. */
async function storeRaw(seq: number, message: string): Promise<void> {
  await store.db.insertInto('session_messages').values({ session_id: 'session-1', seq, run_id: 'run-1', role: 'assistant', message, created_at: new Date().toISOString() }).execute();
}

describe('SessionStore.messages', () => {
  it('gives back what was appended, each message parsed', async () => {
    await sessions.append('session-1', 'run-1', 0, transcript);
    expect(await sessions.messages('session-1')).toEqual(transcript);
  });

  // Invariant: a stored message that is not one is a StoredDataError naming the session and the message, never a misread.
  it('throws StoredDataError naming the session and the message for a row of the wrong shape', async () => {
    await sessions.append('session-1', 'run-1', 0, transcript.slice(0, 1));
    await storeRaw(2, JSON.stringify({ role: 'assistant', toolCalls: 'none' }));
    const error = await sessions.messages('session-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoredDataError);
    expect((error as StoredDataError).sessionId).toBe('session-1');
    expect((error as Error).message).toMatch(/^Session session-1: its stored message 2 \(run run-1\) cannot be read: .*text.*toolCalls/);
  });

  it('throws StoredDataError for a row that is not JSON', async () => {
    await storeRaw(1, '{"role": "user", "content": ');
    await expect(sessions.messages('session-1')).rejects.toThrow(/^Session session-1: its stored message 1 \(run run-1\) cannot be read: not JSON/);
  });
});
