/**
 * Progress notifications from a server (`notifications/progress`), end to end: a fixture server that reports each
 * step of a long call, the real CLI, and the OpenAI wire fake as the model.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const SLOW_SERVER = fileURLToPath(new URL('./fixtures/slow-server.ts', import.meta.url));
const ANSWER = 'All three steps are done.';

let fake: FakeProvider<unknown> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function run(extraArgs: string[]) {
  fake = (await startOpenAIFake([{ toolCalls: [{ name: 'slow__steps', args: { count: 3, stepMs: 40 } }] }, { text: ANSWER }])) as FakeProvider<unknown>;
  const { home, cwd } = freshWorkspace();
  writeFileSync(join(cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false, mcpServers: { slow: { command: process.execPath, args: [SLOW_SERVER] } } }));
  return runCli(['run', 'Work through the steps.', '--model', 'openai:gpt-4.1-mini', '--yes', ...extraArgs], {
    env: cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` }),
    cwd,
  });
}

describe('deckhand run: progress of a long call', () => {
  it('passes each progress notification on as a tool-progress event, between the call start and its result', async () => {
    const result = await run(['--json']);
    expect(result.code, result.stderr).toBe(0);
    const events = parseJsonLines(result.stdout);
    const types = events.map((event) => event.type);
    const progress = events.filter((event) => event.type === 'tool-progress');
    expect(progress).toMatchObject([
      { server: 'slow', tool: 'steps', progress: 1, total: 3, message: 'step 1 of 3', step: 1 },
      { progress: 2, total: 3, message: 'step 2 of 3' },
      { progress: 3, total: 3, message: 'step 3 of 3' },
    ]);
    const callId = events.find((event) => event.type === 'tool-start')?.toolCallId;
    expect(progress.every((event) => event.toolCallId === callId)).toBe(true);
    expect(types.indexOf('tool-progress')).toBeGreaterThan(types.indexOf('tool-start'));
    expect(types.lastIndexOf('tool-progress')).toBeLessThan(types.indexOf('tool-result'));
    // The server was asked for progress (the call carried a token), and the call itself succeeded.
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ output: 'done 3 steps' });
  });

  it('keeps progress out of piped text output and out of --quiet', async () => {
    const text = await run([]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout + text.stderr).not.toContain('step 2 of 3');
    const quiet = await run(['--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout.trim()).toBe(ANSWER);
    expect(quiet.stderr).not.toContain('step');
  });
});
