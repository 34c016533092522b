import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKey, open, seal } from './secret-box.js';

const folder = () => mkdtempSync(join(tmpdir(), 'deckhand-secret-box-'));

describe('seal / open', () => {
  it('round-trips, with a fresh IV each time', () => {
    const key = loadOrCreateKey(join(folder(), 'oauth.key'));
    const first = seal(key, 'access-token-123');
    expect(first).not.toContain('access-token-123');
    expect(seal(key, 'access-token-123')).not.toBe(first);
    expect(open(key, first)).toBe('access-token-123');
  });

  it('refuses another key and an edited value instead of returning garbage', () => {
    const sealed = seal(loadOrCreateKey(join(folder(), 'a.key')), 'secret');
    expect(() => open(loadOrCreateKey(join(folder(), 'b.key')), sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => open(loadOrCreateKey(join(folder(), 'a.key')), parts.join('.'))).toThrow();
  });
});

describe('loadOrCreateKey', () => {
  it('creates a 0600 key once and reads the same key afterwards; tightens a readable one', () => {
    const file = join(folder(), 'oauth.key');
    const key = loadOrCreateKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(file).bytes.equals(key.bytes)).toBe(true);
    const loose = join(folder(), 'loose.key');
    writeFileSync(loose, Buffer.alloc(32, 7), { mode: 0o644 });
    loadOrCreateKey(loose);
    expect(statSync(loose).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that is not a key', () => {
    const file = join(folder(), 'oauth.key');
    writeFileSync(file, 'short', { mode: 0o600 });
    expect(() => loadOrCreateKey(file)).toThrow(/not a Deckhand key/);
  });
});
