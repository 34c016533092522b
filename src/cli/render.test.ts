import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../contracts/index.js';
import { createRenderer } from './render.js';

/** A stream that records what is written, optionally claiming to be a terminal. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const fake = {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string) {
      fake.text += chunk;
      return true;
    },
  };
  return fake as unknown as NodeJS.WriteStream & { text: string };
}

const base = { runId: 'run-1', at: 0, step: 1, toolCallId: 'call-1', server: 'devops', tool: 'deploy' } as const;
const events: RunEvent[] = [
  { ...base, type: 'tool-call', args: { environment: 'staging' } },
  { ...base, type: 'tool-progress', progress: 1, total: 3, message: 'running the tests' },
  { ...base, type: 'tool-progress', progress: 2, total: 3, message: 'building' },
  { ...base, type: 'tool-result', summary: 'deployed', output: 'deployed', durationMs: 1_200 },
];

describe('createRenderer: tool-progress', () => {
  it('at a terminal, shows one progress line on stderr, rewritten in place and erased before the result', () => {
    const out = stream(false);
    const err = stream(true);
    const render = createRenderer({ json: false, out, err, priced: true });
    for (const event of events) render(event);
    expect(err.text).toBe('\r\x1b[2K  … devops.deploy 1/3: running the tests\r\x1b[2K  … devops.deploy 2/3: building\r\x1b[2K');
    expect(out.text).not.toContain('building');
    expect(out.text).toContain('devops.deploy: deployed');
  });

  it('writes nothing for progress when stderr is not a terminal, and --json passes the events on as lines', () => {
    const err = stream(false);
    createRenderer({ json: false, out: stream(false), err, priced: true })(events[1]!);
    expect(err.text).toBe('');
    const out = stream(false);
    createRenderer({ json: true, out, err: stream(true), priced: true })(events[1]!);
    expect(JSON.parse(out.text)).toMatchObject({ type: 'tool-progress', progress: 1, total: 3, message: 'running the tests' });
  });
});
