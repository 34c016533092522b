import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, sentTranscript, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { CLI, cliEnv, freshWorkspace, runCli } from './helpers/cli.js';
import { unversionedEventJson } from './helpers/stored-events.js';

const SLOW_SERVER = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));

let fake: FakeProvider<OpenAIRequest> | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Three steps that each stream text and wait on a tool, then a fourth that streams and never finishes. */
const SCRIPT: FakeTurn[] = [
  ...[1, 2, 3].map((step) => ({ text: `Step ${step}: checking the queue once more.`, toolCalls: [{ name: 'slow__wait', args: { ms: 40 * step } }] })),
  { text: 'Still thinking about it', stall: true },
];

/** Runs `deckhand run --json`, SIGKILLs its process group after `killAfterMs` of output, returns the lines it printed. */
async function killedRun(ws: { cwd: string; env: NodeJS.ProcessEnv }, killAfterMs: number): Promise<string[]> {
  const child = spawn(process.execPath, [CLI, 'run', 'Check the queue', '--yes', '--json'], { cwd: ws.cwd, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (stdout === '') setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), killAfterMs);
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // Killed, not finished: the stalled last step never ends by itself.
  expect({ code, stderr }).toEqual({ code: null, stderr: '' });
  // Only whole lines were printed; a line cut by the kill was never fully shown.
  return stdout.split('\n').slice(0, -1);
}

describe('persist, then emit', () => {
  // Invariant: no run event reaches stdout before it is stored. Whenever the process dies, every event it printed
  // with --json is in run_events, byte for byte.
  it('after kill -9 at a random point, every event printed is in run_events', { timeout: 90_000 }, async () => {
    const printed: string[] = [];
    const killPoints = [0, 150 + Math.floor(Math.random() * 400), 1_500 + Math.floor(Math.random() * 500)];
    for (const killAfterMs of killPoints) {
      fake = await startOpenAIFake(SCRIPT);
      const ws = freshWorkspace();
      writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false, mcpServers: { slow: { command: process.execPath, args: [SLOW_SERVER], idempotent: true } } }));
      const env = cliEnv(ws.home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_MODEL: 'openai:gpt-4.1-mini' });
      const lines = await killedRun({ cwd: ws.cwd, env }, killAfterMs);
      printed.push(...lines);
      const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
      try {
        // Stored as the event with its schemaVersion first: without it, the rest is the printed line byte for byte.
        const stored = new Set(db.prepare('select data from run_events order by seq').all().map((row) => unversionedEventJson(String(row.data))));
        const missing = lines.filter((line) => !stored.has(line));
        expect({ killAfterMs, missing }).toEqual({ killAfterMs, missing: [] });
      } finally {
        db.close();
      }
      await fake.close();
      fake = undefined;
    }
    // The last kill lands in the stalled step, after text was streamed: the case that was printed but not stored.
    expect(printed.some((line) => line.includes('"type":"text-delta"') && line.includes('Still'))).toBe(true);
  });

  // Invariant: a run killed before its first turn was stored still has its task when resumed.
  it('a run killed during its first model call is resumed with its task', { timeout: 60_000 }, async () => {
    fake = await startOpenAIFake([{ text: 'Thinking', stall: true }, { text: 'Resumed with the task.' }]);
    const ws = freshWorkspace();
    writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false }));
    const env = cliEnv(ws.home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_MODEL: 'openai:gpt-4.1-mini' });
    const lines = await killedRun({ cwd: ws.cwd, env }, 300);
    const runId = String((JSON.parse(lines[0]!) as { runId: string }).runId);
    const resumed = await runCli(['resume', runId, '--json'], { env, cwd: ws.cwd, timeoutMs: 30_000 });
    expect(resumed.code).toBe(0);
    expect(sentTranscript(fake.requests[1]!.body)).toContain('user: Check the queue');
  });
});
