import { describe, expect, it } from 'vitest';
import { findRequestId, limitMessageSize } from './message-size-limit.js';

async function through(chunks: readonly string[], maxBytes: number) {
  const refused: Array<{ id: unknown; bytes: number }> = [];
  const stream = limitMessageSize({ maxBytes, onOversized: (id, bytes) => refused.push({ id, bytes }) });
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  for (const chunk of chunks) stream.write(Buffer.from(chunk));
  stream.end();
  await new Promise((resolve) => stream.on('end', resolve));
  return { out: Buffer.concat(out).toString(), refused };
}

describe('limitMessageSize', () => {
  it('passes lines within the limit whole, however they are chunked, and drops longer ones', async () => {
    const big = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"text":"${'x'.repeat(100)}"}}`;
    const { out, refused } = await through(['{"id":1}\n{"i', 'd":2}\n', big.slice(0, 30), big.slice(30), '\n{"id":3}\n'], 64);
    expect(out).toBe('{"id":1}\n{"id":2}\n{"id":3}\n');
    expect(refused).toEqual([{ id: 7, bytes: big.length }]);
  });
});

describe('findRequestId', () => {
  it('finds the top-level id before or after params, not one inside them', () => {
    expect(findRequestId('{"jsonrpc":"2.0","id":"a-1","method":"x","params":{"id":9', '')).toBe('a-1');
    expect(findRequestId('{"method":"x","params":{"id":9,"t":"xx', 'xx"}},"jsonrpc":"2.0","id":42}')).toBe(42);
    expect(findRequestId('{"method":"notifications/x","params":{"t":"', '"}}')).toBeNull();
  });
});
