import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, offeredToolNames, sentToolResult, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

// The agent's own `ask_user` tool through the real OpenAI wire path: the question pauses the run durably, a person
// answers from another process, and the resumed run feeds the answer to the model as the tool's result.

let fake: FakeProvider<OpenAIRequest> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const QUESTION = 'Which order is it? Please give me the order id.';

describe('deckhand__ask_user', () => {
  it('run → the model asks → exit 3 → approvals answer → resume → the answer is the tool result', async () => {
    fake = await startOpenAIFake([
      {
        toolCalls: [{ id: 'call_ask', name: 'deckhand__ask_user', args: { question: QUESTION } }],
        usage: { inputTokens: 400, outputTokens: 20 },
      },
      { text: 'Thanks: order XYZ-789 it is.', usage: { inputTokens: 450, outputTokens: 9 } },
    ]);
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_ACTOR: 'alice' });
    const cli = (args: string[]) => runCli(args, { env, cwd });

    const first = await cli([
      'run',
      'A customer says her ring never arrived; look into it.',
      '--model',
      'openai:gpt-4.1-mini',
      '--json',
    ]);
    expect(first.code).toBe(3);
    const offered = offeredToolNames(fake.requests[0]!.body);
    expect(offered.slice(0, 3)).toEqual([
      'deckhand__extract_entities',
      'deckhand__summarize_state',
      'deckhand__ask_user',
    ]);
    const events = parseJsonLines(first.stdout);
    const question = events.find((event) => event.type === 'approval-request') as Record<string, string> | undefined;
    expect(question).toMatchObject({
      kind: 'question',
      server: 'deckhand',
      tool: 'ask_user',
      args: { question: QUESTION },
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', outcome: 'paused' });
    const { runId, approvalId } = question as { runId: string; approvalId: string };

    const answered = await cli(['approvals', 'answer', approvalId, 'XYZ-789']);
    expect(answered.code).toBe(0);
    expect(fake.requests).toHaveLength(1);

    const resumed = await cli(['resume', runId, '--json']);
    expect(resumed.code).toBe(0);
    const after = parseJsonLines(resumed.stdout);
    expect(after.find((event) => event.type === 'approval-response')).toMatchObject({
      decision: 'answered',
      by: 'alice',
    });
    expect(after.find((event) => event.type === 'tool-result')).toMatchObject({
      server: 'deckhand',
      tool: 'ask_user',
      output: 'XYZ-789',
    });
    expect(after.at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Thanks: order XYZ-789 it is.' });

    // The model reads the person's answer as the result of its ask_user call.
    expect(fake.requests).toHaveLength(2);
    expect(sentToolResult(fake.requests[1]!.body, 'call_ask')).toBe('XYZ-789');
  });
});
