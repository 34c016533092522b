import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { sentTexts, sentToolResults, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import type { OpenAIRequest } from './fakes/openai-fake.js';
import { CLI, cliEnv, freshWorkspace, runCli } from './helpers/cli.js';

let fake: FakeProvider<OpenAIRequest> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const openAiEnv = (home: string, url: string) => cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${url}/v1` });

describe('deckhand chat', () => {
  it('keeps the context of earlier turns: the second task is worked out from the first turn', async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }], usage: { inputTokens: 300, outputTokens: 20 } },
      { text: 'The customer is Lisa Park, lisa.park@example.com.', usage: { inputTokens: 400, outputTokens: 15 } },
      {
        toolCalls: [{ name: 'email__sendShippingConfirmation', args: { email: 'lisa.park@example.com', order_details: 'Order XYZ-789' } }],
        usage: { inputTokens: 500, outputTokens: 30 },
      },
      { text: 'Sent the confirmation.', usage: { inputTokens: 600, outputTokens: 8 } },
    ]);
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['chat', '--model', 'openai:gpt-4.1-mini', '--yes'], {
      env: openAiEnv(home, fake.url),
      cwd,
      input: 'Who placed order XYZ-789?\nSend them the shipping confirmation.\n/exit\n',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The customer is Lisa Park');
    expect(result.stdout).toContain('Sent the confirmation.');
    // The third model request (first of turn two) carries turn one: its question, tool call, result and answer.
    const turnTwo = fake.requests[2]!.body;
    const contents = sentTexts(turnTwo);
    expect(contents).toContain('Who placed order XYZ-789?');
    expect(contents).toContain('The customer is Lisa Park, lisa.park@example.com.');
    expect(contents.at(-1)).toBe('Send them the shipping confirmation.');
    expect(sentToolResults(turnTwo).some((output) => output.includes('lisa.park@example.com'))).toBe(true);

    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      expect(db.prepare("select count(*) as count from emails where to_address = 'lisa.park@example.com'").get()).toEqual({ count: 1 });
      const runs = db.prepare('select session_id, status from runs order by started_at').all() as Array<{ session_id: string; status: string }>;
      expect(runs).toHaveLength(2);
      expect(new Set(runs.map((run) => run.session_id)).size).toBe(1);
      expect(runs.every((run) => run.status === 'finished')).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('deckhand run: Ctrl-C', () => {
  it('cancels cleanly: exit 130, the run recorded as cancelled, nothing half-written', async () => {
    fake = await startOpenAIFake([{ text: 'Thinking about it', stall: true }]);
    const { home, cwd } = freshWorkspace();
    const child = spawn(process.execPath, [CLI, 'run', 'Check order XYZ-789', '--model', 'openai:gpt-4.1-mini'], {
      cwd,
      env: openAiEnv(home, fake.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once the model is mid-answer: its first words have been printed.
    for (let attempt = 0; attempt < 200 && !stdout.includes('Thinking about it'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stdout).toContain('Thinking about it');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('Run cancelled.');

    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      const run = db.prepare('select id, status from runs').get() as { id: string; status: string };
      expect(run.status).toBe('cancelled');
      const types = (db.prepare('select type from run_events where run_id = ? order by seq').all(run.id) as Array<{ type: string }>).map(
        (row) => row.type,
      );
      expect(types[0]).toBe('run-start');
      expect(types.at(-1)).toBe('run-end');
    } finally {
      db.close();
    }
  });
});

describe('sessions across processes', () => {
  it('a run in an existing session continues with the stored context after a restart', async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }] },
      { text: 'XYZ-789 belongs to Lisa Park (lisa.park@example.com).' },
      { text: 'Her email is lisa.park@example.com, as found earlier.' },
    ]);
    const { home, cwd } = freshWorkspace();
    const env = openAiEnv(home, fake.url);
    const first = await runCli(['run', 'Who placed order XYZ-789?', '--model', 'openai:gpt-4.1-mini', '--session', 'support-42'], { env, cwd });
    expect(first.code).toBe(0);
    // A new process: nothing in memory, only the store.
    const second = await runCli(['run', 'What was her email again?', '--model', 'openai:gpt-4.1-mini', '--session', 'support-42'], { env, cwd });
    expect(second.code).toBe(0);
    const request = fake.requests[2]!.body;
    const texts = sentTexts(request);
    expect(texts).toContain('Who placed order XYZ-789?');
    expect(texts).toContain('XYZ-789 belongs to Lisa Park (lisa.park@example.com).');
    expect(sentToolResults(request).some((output) => output.includes('lisa.park@example.com'))).toBe(true);
    expect(texts.at(-1)).toBe('What was her email again?');

    const sessions = await runCli(['sessions', '--json'], { env, cwd });
    const listed = JSON.parse(sessions.stdout) as Array<{ id: string; runs: number }>;
    expect(listed.find((session) => session.id === 'support-42')).toMatchObject({ runs: 2 });
  });
});

describe('deckhand usage', () => {
  it('sums the recorded model calls by model, session and day, priced from the registry', async () => {
    fake = await startOpenAIFake([{ text: 'one', usage: { inputTokens: 1_000, outputTokens: 100 } }, { text: 'two', usage: { inputTokens: 2_000, outputTokens: 200 } }]);
    const { home, cwd } = freshWorkspace();
    const env = openAiEnv(home, fake.url);
    for (const task of ['first', 'second']) expect((await runCli(['run', task, '--model', 'openai:gpt-4.1-mini'], { env, cwd })).code).toBe(0);
    const result = await runCli(['usage', '--json'], { env, cwd });
    const usage = JSON.parse(result.stdout) as { groups: Array<Record<string, unknown>>; total: { runs: number; costUsd: number } };
    expect(usage.groups).toEqual([expect.objectContaining({ key: 'openai:gpt-4.1-mini', runs: 2, calls: 2, inputTokens: 3_000, outputTokens: 300 })]);
    // gpt-4.1-mini in the price registry: $0.40 in and $1.60 out per million tokens.
    expect(usage.total.costUsd).toBeCloseTo((3_000 * 0.4 + 300 * 1.6) / 1_000_000, 10);
    const byDay = JSON.parse((await runCli(['usage', '--by', 'day', '--since', '1d', '--json'], { env, cwd })).stdout) as { groups: Array<{ key: string; calls: number }> };
    expect(byDay.groups).toEqual([expect.objectContaining({ key: new Date().toISOString().slice(0, 10), calls: 2 })]);
    const bySession = JSON.parse((await runCli(['usage', '--by', 'session', '--json'], { env, cwd })).stdout) as { groups: unknown[] };
    expect(bySession.groups).toHaveLength(2);
    expect((await runCli(['usage', '--since', 'yesterday-ish'], { env, cwd })).code).toBe(2);
  });
});
