import { DEFAULT_INHERITED_ENV_VARS, getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultEnvironment } from './default-environment.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('defaultEnvironment', () => {
  // Invariant: the shared server process inherits exactly what the SDK gives the servers it spawns itself.
  it('is the SDK getDefaultEnvironment, shell functions left out', () => {
    vi.stubEnv('TERM', 'xterm-256color');
    vi.stubEnv('SHELL', '() { echo exported function; }');
    vi.stubEnv('DECKHAND_NOT_INHERITED', 'secret');
    expect(defaultEnvironment()).toEqual(getDefaultEnvironment());
    expect(defaultEnvironment()).not.toHaveProperty('SHELL');
    expect(defaultEnvironment()).not.toHaveProperty('DECKHAND_NOT_INHERITED');
    expect(Object.keys(defaultEnvironment()).every((key) => DEFAULT_INHERITED_ENV_VARS.includes(key))).toBe(true);
  });
});
