import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, freshWorkspace } from './helpers/cli.js';
import { unversionedEventJson } from './helpers/stored-events.js';

const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';

/**
 * Runs the shipping task on the offline model (in process: a step's events come back to back, so the recorder
 * commits them in groups) with `--json`, and SIGKILLs the process group the moment a printed line matches `kill`.
 * Returns the whole lines printed by then.
 */
async function runKilledAt(ws: { cwd: string; home: string }, kill: (line: string) => boolean): Promise<string[]> {
  const env = cliEnv(ws.home);
  const child = spawn(process.execPath, [CLI, 'run', TASK, '--model', 'offline', '--yes', '--json'], { cwd: ws.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let killed = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!killed && stdout.split('\n').slice(0, -1).some(kill)) {
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ killed, code }).toEqual({ killed: true, code: null });
  return stdout.split('\n').slice(0, -1);
}

function storedState(home: string): { events: Set<string>; toolMessages: number; steps: number } {
  const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
  try {
    const events = new Set(db.prepare('select data from run_events order by seq').all().map((row) => unversionedEventJson(String(row.data))));
    const toolMessages = Number(db.prepare(`select count(*) as n from session_messages where role = 'tool'`).get()!.n);
    const steps = Number(db.prepare('select max(steps) as n from runs').get()!.n);
    return { events, toolMessages, steps };
  } finally {
    db.close();
  }
}

describe('group commit, then emit', () => {
  // Invariant: events committed in groups are still shown only once stored. Killed the instant a line is shown,
  // the store has every line shown; a shown step-end has its step's results (the tool message) and progress.
  it('kill -9 right after a tool-start, a step-end or an answer delta is shown: the store has all that was shown', { timeout: 120_000 }, async () => {
    const points: Array<{ name: string; kill: (line: string) => boolean }> = [
      { name: 'first tool-start', kill: (line) => line.includes('"type":"tool-start"') },
      { name: 'first step-end', kill: (line) => line.includes('"type":"step-end"') },
      { name: 'an answer delta', kill: (line) => line.includes('"type":"text-delta"') && line.includes('"step":3') },
    ];
    for (const point of points) {
      const ws = freshWorkspace();
      writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({}));
      const lines = await runKilledAt(ws, point.kill);
      const stored = storedState(ws.home);
      expect({ point: point.name, missing: lines.filter((line) => !stored.events.has(line)) }).toEqual({ point: point.name, missing: [] });
      // Each tool step's end comes after its results; the answer step's end has none.
      const ends = lines.map((line) => JSON.parse(line) as { type: string; step?: number; finishReason?: string }).filter((event) => event.type === 'step-end');
      const toolSteps = ends.filter((end) => end.finishReason === 'tool-calls').length;
      const lastStep = Math.max(0, ...ends.map((end) => end.step ?? 0));
      expect({ point: point.name, toolMessages: stored.toolMessages >= toolSteps, steps: stored.steps >= lastStep }).toEqual({ point: point.name, toolMessages: true, steps: true });
      if (point.name !== 'first tool-start') expect(ends.length).toBeGreaterThan(0);
    }
  });
});
