import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIRequest, sentToolResults, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider } from './fakes/sse.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const APPEND_SERVER = fileURLToPath(new URL('./fixtures/append-server.ts', import.meta.url));

let fake: FakeProvider<OpenAIRequest> | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function workspace() {
  const ws = freshWorkspace();
  const env = cliEnv(ws.home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake!.url}/v1`, DECKHAND_MODEL: 'openai:gpt-4.1-mini' });
  const cli = (args: readonly string[]) => runCli(args, { env, cwd: ws.cwd, timeoutMs: 60_000 });
  const query = <T>(sql: string, ...params: Array<string | number>): T[] => {
    const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  return { ...ws, env, cli, query };
}

/** The append fixture as the only server (not marked idempotent: it ignores keys), answering after `delayMs`. */
function appendConfig(ws: { cwd: string }, file: string, delayMs: number): void {
  writeFileSync(
    join(ws.cwd, 'deckhand.json'),
    JSON.stringify({ builtinServers: false, mcpServers: { append: { command: process.execPath, args: [APPEND_SERVER], env: { APPEND_FILE: file, DELAY_MS: String(delayMs) } } } }),
  );
}

describe('calls whose outcome is unknown', () => {
  // Invariant: a call in flight when its process died may already have had its effect. On a server that does not
  // honour idempotency keys, resuming asks a person before calling it again, even under --yes; approving runs it.
  it('kill -9 during a call to a non-idempotent server: resume --yes pauses and asks; approving runs it again', { timeout: 90_000 }, async () => {
    fake = await startOpenAIFake([{ toolCalls: [{ name: 'append__append_line', args: { line: 'order 1 shipped' } }] }, { text: 'Logged it.' }]);
    const ws = workspace();
    const file = join(ws.cwd, 'appended.txt');
    appendConfig(ws, file, 60_000);
    const child = spawn(process.execPath, [CLI, 'run', 'Log that order 1 shipped', '--yes', '--json'], { cwd: ws.cwd, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let attempt = 0; attempt < 600 && !existsSync(file); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    // The line is written and the call has not answered: its outcome, as the host sees it, is unknown.
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const runId = String(parseJsonLines(stdout.split('\n').slice(0, -1).join('\n'))[0]!.runId);
    expect(readFileSync(file, 'utf8')).toBe('order 1 shipped\n');

    appendConfig(ws, file, 0);
    const resumed = await ws.cli(['resume', runId, '--yes', '--json']);
    expect(resumed.code).toBe(3);
    const request = parseJsonLines(resumed.stdout).find((event) => event.type === 'approval-request');
    expect(request).toMatchObject({ server: 'append', tool: 'append_line', args: { line: 'order 1 shipped' }, because: expect.stringContaining('this call may already have run') });
    expect(readFileSync(file, 'utf8')).toBe('order 1 shipped\n');
    const listed = await ws.cli(['approvals', 'list']);
    expect(listed.stdout).toContain('this call may already have run');

    // A person looked and decided it had not gone through: it runs again, once.
    expect((await ws.cli(['approvals', 'approve', String(request!.approvalId)])).code).toBe(0);
    const finished = await ws.cli(['resume', runId, '--yes', '--json']);
    expect(finished.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('order 1 shipped\norder 1 shipped\n');
    expect(parseJsonLines(finished.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished', text: 'Logged it.' });
  });

  it('denying the interrupted call tells the model its outcome is unknown, and nothing runs again', { timeout: 90_000 }, async () => {
    fake = await startOpenAIFake([{ toolCalls: [{ name: 'append__append_line', args: { line: 'refund 7' } }] }, { text: 'I could not confirm it.' }]);
    const ws = workspace();
    const file = join(ws.cwd, 'appended.txt');
    appendConfig(ws, file, 60_000);
    const child = spawn(process.execPath, [CLI, 'run', 'Log refund 7', '--yes', '--json'], { cwd: ws.cwd, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let attempt = 0; attempt < 600 && !existsSync(file); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const runId = String(parseJsonLines(stdout.split('\n').slice(0, -1).join('\n'))[0]!.runId);
    appendConfig(ws, file, 0);
    const paused = await ws.cli(['resume', runId, '--yes', '--json']);
    const approvalId = String(parseJsonLines(paused.stdout).find((event) => event.type === 'approval-request')!.approvalId);
    const denied = await ws.cli(['approvals', 'deny', approvalId, '--note', 'it went through', '--resume', '--json']);
    expect(denied.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('refund 7\n');
    const toolOutput = sentToolResults(fake.requests[1]!.body)[0];
    expect(toolOutput).toContain('may or may not have taken effect');
    expect(toolOutput).toContain('it went through');
  });

  // Invariant: built-in servers honour idempotency keys, so their interrupted calls are replayed without asking,
  // and the replay has no second effect.
  it("a built-in server's interrupted call is replayed under --yes without asking, with no second note", { timeout: 90_000 }, async () => {
    fake = await startOpenAIFake([
      { toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Customer called twice.', author: 'deckhand' } }] },
      { text: 'Added the note.' },
      { text: 'Added the note.' },
    ]);
    const ws = workspace();
    writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['notes'] }));
    const first = await ws.cli(['run', 'Note on XYZ-789 that the customer called twice', '--yes', '--json']);
    expect(first.code).toBe(0);
    const runId = String(parseJsonLines(first.stdout)[0]!.runId);
    // Put the store back where a kill -9 mid-call leaves it: the call started (and had its effect), no result stored.
    const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { timeout: 10_000 });
    try {
      const start = db.prepare("select seq from run_events where run_id = ? and type = 'tool-start'").get(runId) as { seq: number };
      db.prepare('delete from run_events where run_id = ? and seq > ?').run(runId, start.seq);
      db.prepare("delete from session_messages where run_id = ? and role = 'tool'").run(runId);
      db.prepare("delete from session_messages where run_id = ? and role = 'assistant' and seq > (select min(seq) from session_messages where run_id = ? and role = 'assistant')").run(runId, runId);
      db.prepare("update runs set status = 'running', ended_at = null where id = ?").run(runId);
    } finally {
      db.close();
    }
    const resumed = await ws.cli(['resume', runId, '--yes', '--json']);
    expect(resumed.code).toBe(0);
    const events = parseJsonLines(resumed.stdout);
    expect(events.some((event) => event.type === 'approval-request')).toBe(false);
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ server: 'notes', tool: 'add_note' });
    expect(ws.query<{ count: number }>("select count(*) as count from notes where text = 'Customer called twice.'")).toEqual([{ count: 1 }]);
  });
});

describe('mcpServers.*.idempotent', () => {
  it('must be true or false: anything else stops the command with exit 2 naming the server', async () => {
    fake = await startOpenAIFake([]);
    const ws = workspace();
    writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: false, mcpServers: { append: { command: process.execPath, args: [APPEND_SERVER], idempotent: 'yes' } } }));
    const result = await ws.cli(['servers']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/deckhand\.json: mcpServers\.append: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
