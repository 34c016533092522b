import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newRecordId } from './ids.js';

describe('newRecordId', () => {
  it('makes version 7 UUIDs that sort in the order they were made, and that the run contracts accept', async () => {
    const first = newRecordId();
    await sleep(2);
    const second = newRecordId();
    for (const id of [first, second]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(z.uuid().safeParse(id).success).toBe(true);
    }
    expect(first < second).toBe(true);
    expect(first).not.toBe(newRecordId());
  });
});
