import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

// The CLI at a real terminal: `script` gives the process a pseudo-terminal, so it prompts for approval
// the way it does for a person, and we answer through the terminal.

let fake: FakeProvider<OpenAIRequest> | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const noteCall = {
  toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Parcel reported missing.', author: 'deckhand' } }],
};

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

describe('deckhand run at a terminal', () => {
  it('asks before a side effect and goes on in the same process when approved', async () => {
    fake = await startOpenAIFake([noteCall, { text: 'Noted on XYZ-789.' }]);
    const { home, cwd } = freshWorkspace();
    const command = [process.execPath, CLI, 'run', 'Note that XYZ-789 never arrived', '--model', 'openai:gpt-4.1-mini'].map(shellQuote).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd,
      env: cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_ACTOR: 'bob', TERM: 'dumb' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let attempt = 0; attempt < 300 && !screen.includes('[n] deny'); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen).toMatch(/Approval needed \(medium risk, changes data\): notes\.add_note/);
    child.stdin.write('y\r');
    expect(await exited).toBe(0);
    expect(screen).toContain('approved by bob');
    expect(screen).toContain('Noted on XYZ-789.');
    const db = new DatabaseSync(join(home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      expect(db.prepare("select text from notes where text = 'Parcel reported missing.'").all()).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});

describe('deckhand resume', () => {
  it('continues a run stopped by its budget once the budget is raised, keeping its other options', async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'crm__getCustomerEmail', args: { order_id: 'XYZ-789' } }], usage: { inputTokens: 1_000_000, outputTokens: 0 } },
      noteCall,
      { text: 'Done within the raised budget.' },
    ]);
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` });
    // gpt-4.1-mini costs $0.40 per million input tokens: the first step spends the whole $0.10 budget.
    const first = await runCli(['run', 'Check XYZ-789 and note it', '--model', 'openai:gpt-4.1-mini', '--budget-usd', '0.10', '--yes', '--json'], { env, cwd });
    expect(first.code).toBe(1);
    const end = parseJsonLines(first.stdout).at(-1)!;
    expect(end).toMatchObject({ type: 'run-end', outcome: 'budget-exhausted' });
    const runId = end.runId as string;

    const resumed = await runCli(['resume', runId, '--budget-usd', '5', '--json'], { env, cwd });
    expect(resumed.code).toBe(0);
    const events = parseJsonLines(resumed.stdout);
    // --yes was kept from the start: the note did not ask.
    expect(events.find((event) => event.type === 'approval-response')).toMatchObject({ by: '--yes' });
    expect(events.at(-1)).toMatchObject({ outcome: 'finished', text: 'Done within the raised budget.' });
  });
});

describe('deckhand doctor with a cloud model', () => {
  it('checks that the model answers, and reports a rejected key in one line', async () => {
    fake = await startOpenAIFake([{ text: 'ok' }, { status: 401 }]);
    const { home, cwd } = freshWorkspace();
    const env = cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` });
    const good = await runCli(['doctor', '--model', 'openai:gpt-4.1-mini', '--json'], { env, cwd });
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).checks.at(-1)).toMatchObject({ name: 'model', ok: true, detail: expect.stringMatching(/openai:gpt-4\.1-mini answered in/) });
    const bad = await runCli(['doctor', '--model', 'openai:gpt-4.1-mini'], { env, cwd });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ model +.*401.*OPENAI_API_KEY/);
  });
});
