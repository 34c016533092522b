/**
 * Cost and budgets end to end: the real CLI, the real built-in servers, the real `@ai-sdk/openai` provider
 * against the wire fake. A budget is checked before a request is sent, so it cannot be overrun.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';
const FINAL = 'I emailed Lisa Park the shipping confirmation for order XYZ-789.';

let fakes: Array<FakeProvider<OpenAIRequest>> = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function fake(script: FakeTurn[]) {
  const started = await startOpenAIFake(script);
  fakes.push(started);
  return started;
}

function workspace(config: Record<string, unknown> = {}) {
  const ws = freshWorkspace();
  writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify(config));
  return ws;
}

function env(home: string, url: string) {
  return cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${url}/v1` });
}

function shippingEmails(home: string): number {
  const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
  try {
    const row = db.prepare("SELECT count(*) AS n FROM emails WHERE order_id = 'XYZ-789' AND kind = 'shipping-confirmation'").get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

describe('budgets that cannot be overrun', () => {
  it('a $0.000001 budget sends nothing and ends budget-exhausted with the reason', async () => {
    const provider = await fake([{ text: 'never sent' }]);
    const { home, cwd } = workspace();
    const result = await runCli(['run', TASK, '--model', 'openai:gpt-4.1-mini', '--budget-usd', '0.000001', '--json'], { env: env(home, provider.url), cwd });
    expect(provider.requests).toHaveLength(0);
    const end = parseJsonLines(result.stdout).at(-1)!;
    expect(end).toMatchObject({ type: 'run-end', outcome: 'budget-exhausted' });
    expect(end.text).toMatch(/^Budget exhausted: run usd 0\.00 of 0\.000001 \(the next model call could add up to /);
    expect(end.resumeCommand).toMatch(/^deckhand resume \S+ --budget-usd \d/);
    expect(result.code).toBe(1);
  });

  it('stops before the call that would cross $3 at 200,000 prompt tokens a call, then finishes on resume, sending the email once', async () => {
    const big = { inputTokens: 200_000, outputTokens: 50 };
    const provider = await fake([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }], usage: big },
      { toolCalls: [{ name: 'email__sendShippingConfirmation', args: { email: 'lisa.park@example.com', order_details: 'Order XYZ-789 has shipped.' } }], usage: big },
      { text: FINAL, usage: big },
    ]);
    const { home, cwd } = workspace({ pricing: { 'openai:gpt-4.1-mini': { inputPerMTok: 10, outputPerMTok: 10 } } });
    const first = await runCli(['run', TASK, '--model', 'openai:gpt-4.1-mini', '--budget-usd', '3', '--yes'], { env: env(home, provider.url), cwd });
    expect(first.code, first.stderr).toBe(1);
    expect(provider.requests.length).toBeLessThanOrEqual(2);
    expect(first.stdout).toMatch(/Budget exhausted: run usd 2\.00 of 3\.00 \(the next model call could add up to 2\.\d\d\)/);
    const resume = /deckhand resume (\S+) --budget-usd (\d+)/.exec(first.stdout);
    expect(resume, first.stdout).not.toBeNull();
    const runId = resume![1]!;
    expect(shippingEmails(home)).toBe(0);

    const second = await runCli(['resume', runId, '--budget-usd', '100', '--json'], { env: env(home, provider.url), cwd });
    expect(second.code, second.stderr).toBe(0);
    const events = parseJsonLines(second.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: FINAL });
    expect(shippingEmails(home)).toBe(1);
    expect(provider.requests).toHaveLength(3);
    // Every paid call is stored with its cost: three at $2.0005.
    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      const calls = db.prepare('SELECT model, input_tokens, cost_usd FROM model_calls WHERE run_id = ? ORDER BY id').all(runId) as Array<{ cost_usd: number }>;
      expect(calls).toHaveLength(3);
      for (const call of calls) expect(call.cost_usd).toBeCloseTo(2.0005, 10);
    } finally {
      db.close();
    }
  });

  it('reads cached input and reasoning tokens from the provider and prices cache reads at their own rate', async () => {
    const provider = await fake([{ text: 'done', usage: { inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000, reasoningTokens: 60_000 } }]);
    const { home, cwd } = workspace({ pricing: { 'gpt-4.1-mini': { inputPerMTok: 1, outputPerMTok: 1 }, 'openai:gpt-4.1-mini': { inputPerMTok: 2, outputPerMTok: 4, cachedInputPerMTok: 0.5 } } });
    const result = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini', '--json'], { env: env(home, provider.url), cwd });
    expect(result.code, result.stderr).toBe(0);
    const usage = parseJsonLines(result.stdout).find((event) => event.type === 'usage')!;
    expect(usage.usage).toEqual({ inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000, reasoningTokens: 60_000 });
    // provider:model wins over the bare name: 0.6M fresh × $2 + 0.4M cached × $0.5 + 0.1M out × $4.
    expect(usage.costUsd).toBeCloseTo(1.2 + 0.2 + 0.4, 10);
    expect(parseJsonLines(result.stdout).at(-1)).toMatchObject({ totals: { cachedInputTokens: 400_000, reasoningTokens: 60_000 } });
  });

  it('warns once per run that an unknown model costs nothing', async () => {
    const provider = await fake([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }], usage: { inputTokens: 10, outputTokens: 1 } },
      { text: 'done', usage: { inputTokens: 10, outputTokens: 1 } },
    ]);
    const { home, cwd } = workspace();
    const result = await runCli(['run', 'look it up', '--model', 'openai:not-a-real-model', '--json'], { env: env(home, provider.url), cwd });
    expect(result.code, result.stderr).toBe(0);
    const warnings = parseJsonLines(result.stdout).filter((event) => event.type === 'warning');
    expect(warnings).toEqual([expect.objectContaining({ message: expect.stringContaining('No price is known for openai:not-a-real-model') })]);
  });
});

describe('resilient model calls', () => {
  it('retries a 429 after its Retry-After of one second, then succeeds', async () => {
    const provider = await fake([{ status: 429, headers: { 'retry-after': '1' } }, { text: 'done', usage: { inputTokens: 5, outputTokens: 1 } }]);
    const { home, cwd } = workspace();
    const result = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini', '--json'], { env: env(home, provider.url), cwd });
    expect(result.code, result.stderr).toBe(0);
    const events = parseJsonLines(result.stdout);
    expect(events.filter((event) => event.type === 'model-retry')).toEqual([
      expect.objectContaining({ model: 'openai:gpt-4.1-mini', attempt: 1, delayMs: 1_000, error: expect.stringContaining('429') }),
    ]);
    expect(provider.requests).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ outcome: 'finished', text: 'done' });
  });

  it('never retries another 4xx', async () => {
    const provider = await fake([{ status: 400, message: 'bad request' }, { text: 'unreached' }]);
    const { home, cwd } = workspace();
    const result = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini', '--json'], { env: env(home, provider.url), cwd });
    expect(result.code).toBe(1);
    expect(provider.requests).toHaveLength(1);
  });

  it('after three 500s moves to the fallback model (--model twice), says so, and finishes there', async () => {
    const provider = await fake([
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { text: 'answered by the fallback', usage: { inputTokens: 5, outputTokens: 1 } },
    ]);
    const { home, cwd } = workspace({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const result = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini', '--model', 'openai:gpt-4.1-nano', '--json'], { env: env(home, provider.url), cwd });
    expect(result.code, result.stderr).toBe(0);
    const events = parseJsonLines(result.stdout);
    expect(events.filter((event) => event.type === 'model-retry')).toHaveLength(2);
    expect(events.find((event) => event.type === 'model-fallback')).toMatchObject({ from: 'openai:gpt-4.1-mini', to: 'openai:gpt-4.1-nano' });
    expect(provider.requests.map((request) => request.body.model)).toEqual(['gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-nano']);
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ model: 'openai:gpt-4.1-nano' });
    expect(events.at(-1)).toMatchObject({ outcome: 'finished', text: 'answered by the fallback' });
  });

  it('gives up on a provider that never answers after the configured timeout, with a clear message', async () => {
    const provider = await fake([{ hang: true }]);
    const { home, cwd } = workspace({ modelTimeoutMs: 300 });
    const result = await runCli(['run', 'say done', '--model', 'openai:gpt-4.1-mini'], { env: env(home, provider.url), cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('openai:gpt-4.1-mini did not answer within 0.3 s');
    expect(result.stderr).toContain('modelTimeoutMs');
  });
});
