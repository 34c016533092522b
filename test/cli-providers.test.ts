/**
 * `deckhand run` end to end against the wire-level provider fakes: the real CLI process, the real built-in
 * MCP servers over stdio, the real `@ai-sdk/*` providers talking HTTP + SSE to a local fake.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnthropicBlock, type AnthropicMessagesRequest, startAnthropicFake } from './fakes/anthropic-fake.js';
import { type GeminiRequest, startGeminiFake } from './fakes/gemini-fake.js';
import { offeredToolNames, sentToolResult, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const TASK = 'Order XYZ-789 has shipped. Email the customer a shipping confirmation.';
const FINAL_ANSWER = 'I emailed Lisa Park (lisa.park@example.com) the shipping confirmation for order XYZ-789.';

/** The model's side of the run: look up the email, send the confirmation, answer. */
const SHIPPING_SCRIPT: FakeTurn[] = [
  {
    text: 'Looking up the customer for XYZ-789.',
    toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }],
    usage: { inputTokens: 100, outputTokens: 20 },
  },
  {
    toolCalls: [
      {
        name: 'email__sendShippingConfirmation',
        args: { email: 'lisa.park@example.com', order_details: 'Order XYZ-789 has shipped.' },
      },
    ],
    usage: { inputTokens: 150, outputTokens: 30 },
  },
  { text: FINAL_ANSWER, usage: { inputTokens: 200, outputTokens: 15 } },
];

/** A stack frame line, as Node prints them. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

interface ProviderCase {
  /** The provider as its errors name it. */
  readonly name: string;
  /** The variable a rejected key is blamed on. */
  readonly keyVariable: string;
  readonly modelId: string;
  start(script: FakeTurn[]): Promise<FakeProvider<unknown>>;
  env(fake: FakeProvider<unknown>): Record<string, string>;
  /** A `deckhand.json` to write in the working directory, if the provider is set up there. */
  config?(fake: FakeProvider<unknown>): Record<string, unknown>;
  /** The text of the tool result fed back for the first tool call, read from the second request body. */
  toolResultSent(body: unknown): string | undefined;
  /** Names of the tools offered in a request body. */
  toolsOffered(body: unknown): string[];
}

const providers: ProviderCase[] = [
  {
    name: 'google',
    keyVariable: 'GATEWAY_GEMINI_KEY',
    modelId: 'google:gemini-2.5-flash',
    start: (script) => startGeminiFake(script),
    env: () => ({ GATEWAY_GEMINI_KEY: 'gk-test' }),
    // The base URL and the key's variable come from deckhand.json's providers block, as a company gateway would.
    config: (fake) => ({ providers: { google: { baseURL: `${fake.url}/v1beta`, apiKeyEnv: 'GATEWAY_GEMINI_KEY' } } }),
    toolResultSent(body) {
      for (const content of (body as GeminiRequest).contents) {
        const part = content.parts.find((entry) => entry.functionResponse?.name === 'crm__getCustomerEmail');
        if (part) return JSON.stringify(part.functionResponse?.response);
      }
      return undefined;
    },
    toolsOffered: (body) => ((body as GeminiRequest).tools ?? []).flatMap((tool) => (tool.functionDeclarations ?? []).map((declaration) => declaration.name)),
  },
  {
    name: 'openai',
    keyVariable: 'OPENAI_API_KEY',
    modelId: 'openai:gpt-4.1-mini',
    start: (script) => startOpenAIFake(script),
    env: (fake) => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` }),
    toolResultSent: (body) => sentToolResult(body, 'call_1_0'),
    toolsOffered: (body) => offeredToolNames(body),
  },
  {
    name: 'anthropic',
    keyVariable: 'ANTHROPIC_API_KEY',
    modelId: 'anthropic:claude-sonnet-4-5',
    start: (script) => startAnthropicFake(script),
    env: (fake) => ({ ANTHROPIC_API_KEY: 'ak-test', ANTHROPIC_BASE_URL: `${fake.url}/v1` }),
    toolResultSent(body) {
      for (const message of (body as AnthropicMessagesRequest).messages) {
        if (message.role !== 'user' || typeof message.content === 'string') continue;
        const block = message.content.find(
          (entry): entry is Extract<AnthropicBlock, { type: 'tool_result' }> =>
            entry.type === 'tool_result' && entry.tool_use_id === 'toolu_fake_1_0',
        );
        if (!block) continue;
        return typeof block.content === 'string'
          ? block.content
          : block.content.map((part) => part.text ?? '').join('');
      }
      return undefined;
    },
    toolsOffered: (body) => ((body as AnthropicMessagesRequest).tools ?? []).map((tool) => tool.name),
  },
];

const fakes: Array<FakeProvider<unknown>> = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

/** A fresh workspace, with the provider's `deckhand.json` when it has one. */
function workspaceFor(provider: ProviderCase, fake: FakeProvider<unknown>): { home: string; cwd: string } {
  const workspace = freshWorkspace();
  if (provider.config) writeFileSync(join(workspace.cwd, 'deckhand.json'), JSON.stringify(provider.config(fake)));
  return workspace;
}

async function started(provider: ProviderCase, script: FakeTurn[]): Promise<FakeProvider<unknown>> {
  const fake = await provider.start(script);
  fakes.push(fake);
  return fake;
}

describe.each(providers)('deckhand run --model $modelId against the $name wire fake', (provider) => {
  it('looks up the customer, sends the confirmation, and reports events, usage and the outbox row', async () => {
    const fake = await started(provider, SHIPPING_SCRIPT);
    const { home, cwd } = workspaceFor(provider, fake);
    const result = await runCli(['run', TASK, '--model', provider.modelId, '--json', '--yes'], {
      env: cliEnv(home, provider.env(fake)),
      cwd,
    });
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code, result.stderr).toBe(0);

    const events = parseJsonLines(result.stdout);
    const calls = events.filter((event) => event.type === 'tool-call');
    expect(calls).toMatchObject([
      { server: 'crm', tool: 'getCustomerEmail', args: { order_id: 'XYZ-789' } },
      {
        server: 'email',
        tool: 'sendShippingConfirmation',
        args: { email: 'lisa.park@example.com', order_details: 'Order XYZ-789 has shipped.' },
      },
    ]);
    const results = events.filter((event) => event.type === 'tool-result');
    expect(results).toMatchObject([
      { server: 'crm', tool: 'getCustomerEmail' },
      { server: 'email', tool: 'sendShippingConfirmation' },
    ]);
    expect(results[0]?.output).toContain('lisa.park@example.com');
    expect(events.filter((event) => event.type === 'tool-error')).toEqual([]);

    const usage = events.filter((event) => event.type === 'usage');
    expect(usage).toHaveLength(3);
    expect(usage.at(-1)).toMatchObject({ totals: { inputTokens: 450, outputTokens: 65, steps: 3, toolCalls: 2 } });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: FINAL_ANSWER });

    // The provider saw the tools, and was given the CRM's answer in its own wire shape.
    expect(fake.requests).toHaveLength(3);
    expect(provider.toolsOffered(fake.requests[0]?.body)).toEqual(
      expect.arrayContaining(['crm__getCustomerEmail', 'email__sendShippingConfirmation']),
    );
    expect(provider.toolResultSent(fake.requests[1]?.body)).toContain('lisa.park@example.com');

    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      // The demo seed has emails of its own; the run must have added exactly one for this order.
      const rows = db
        .prepare(
          "SELECT to_address, subject, body, status FROM emails WHERE order_id = ? AND kind = 'shipping-confirmation'",
        )
        .all('XYZ-789') as Array<{ to_address: string; subject: string; body: string; status: string }>;
      expect(rows).toHaveLength(1);
      expect(rows[0]?.to_address).toBe('lisa.park@example.com');
      expect(rows[0]?.subject).toContain('XYZ-789');
      expect(rows[0]?.body).toContain('XYZ-789');
      expect(rows[0]?.status).toBeTruthy();
    } finally {
      db.close();
    }
  });

  it('prints the usage line with the token counts in human output', async () => {
    const fake = await started(provider, SHIPPING_SCRIPT);
    const { home, cwd } = workspaceFor(provider, fake);
    const result = await runCli(['run', TASK, '--model', provider.modelId, '--yes'], {
      env: cliEnv(home, provider.env(fake)),
      cwd,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('crm.getCustomerEmail');
    expect(result.stdout).toContain('email.sendShippingConfirmation');
    expect(result.stdout).toContain(FINAL_ANSWER);
    expect(result.stdout).toMatch(/usage:.*3 steps.*2 tool calls.*450 input \+ 65 output tokens/);
  });
});

describe('deckhand run: provider failures', () => {
  it.each(providers)('a 401 from $name exits 1 with one readable line and no stack trace', async (provider) => {
    const fake = await started(provider, [{ status: 401 }]);
    const { home, cwd } = workspaceFor(provider, fake);
    const result = await runCli(['run', TASK, '--model', provider.modelId], {
      env: cliEnv(home, provider.env(fake)),
      cwd,
    });
    expect(result.code).toBe(1);
    const expected = `${provider.name} rejected the API key (401 Unauthorized): check ${provider.keyVariable}`;
    // Contract: the failure is one line on stderr (stdout is for the transcript, or for JSON events).
    const errorLines = result.stderr.split('\n').filter((line) => line.includes(expected));
    expect(errorLines, `expected the error on stderr; stderr: ${result.stderr}; stdout: ${result.stdout}`).toHaveLength(
      1,
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stdout).not.toMatch(STACK_FRAME);
  });

  it('--model foo:bar exits 2 before calling any provider', async () => {
    const fake = await started(providers[0]!, []);
    const { home, cwd } = freshWorkspace();
    const result = await runCli(['run', TASK, '--model', 'foo:bar'], {
      env: cliEnv(home, providers[0]!.env(fake)),
      cwd,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(fake.requests).toHaveLength(0);
  });
});
