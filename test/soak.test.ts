/**
 * The soak test of issue 11, bounded in count and time for a shared two-core machine: many processes starting
 * at once on fresh stores, then many runs killed (-9) at random points and resumed until they finish. It prints
 * its figures; the counts are below and can be raised with DECKHAND_SOAK_RUNS.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIRequest, sentToolResults, sentTranscript, startOpenAIFake } from './fakes/openai-fake.js';
import type { FakeProvider, FakeTurn } from './fakes/sse.js';
import { CLI, cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';
import { createScratchDatabase, postgresReachable } from './helpers/postgres.js';
import { unversionedEventJson } from './helpers/stored-events.js';

const APPEND_SERVER = fileURLToPath(new URL('./fixtures/append-server.ts', import.meta.url));
const STARTERS = 20;
// 12 by default keeps the whole file near a minute on two shared cores (the issue asks for 200: DECKHAND_SOAK_RUNS=200).
const RUNS = Number(process.env.DECKHAND_SOAK_RUNS ?? 12);
const LANES = 4;
/** Resumes a run may need; each is killed with falling probability, so every run finishes well before this. */
const MAX_ATTEMPTS = 8;

/** What one process printed (whole lines only) and how it ended. */
interface Exit {
  readonly code: number | null;
  readonly killed: boolean;
  readonly lines: string[];
  readonly stderr: string;
}

/**
 * Runs `deckhand <args>`; with `killAtLine`, SIGKILLs its process group once it has printed that many event lines
 * (within a few milliseconds more, at random): a random point of the run, in whatever it was doing then.
 */
function deckhand(args: readonly string[], ws: { cwd: string; env: NodeJS.ProcessEnv }, killAtLine?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.cwd, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    };
    const guard = setTimeout(kill, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const before = stdout.split('\n').length - 1;
      stdout += chunk.toString();
      const after = stdout.split('\n').length - 1;
      if (killAtLine !== undefined && before < killAtLine && after >= killAtLine) setTimeout(kill, Math.floor(Math.random() * 30));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, killed, lines: stdout.split('\n').slice(0, -1).filter((line) => line.startsWith('{')), stderr });
    });
  });
}

/**
 * The model of every soak run, stateless so concurrent runs and their resumes can share it: it reads the task's
 * run number from the request (a starter's task is answered at once) and answers by how many tool results it has seen (a note on the built-in notes
 * server, then a line on the non-idempotent append fixture, then the answer).
 */
function soakModel({ body }: { body: unknown }): FakeTurn {
  const transcript = sentTranscript(body).join('\n');
  if (transcript.includes('soak start')) return { text: 'Started.' };
  const run = /soak run (\d+)/.exec(transcript)?.[1] ?? '?';
  const results = sentToolResults(body).length;
  if (results === 0) return { text: 'Noting it.', toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: `soak run ${run}`, author: 'soak' } }] };
  if (results === 1) return { toolCalls: [{ name: 'append__append_line', args: { line: `soak run ${run}` } }] };
  return { text: `Done with soak run ${run}.` };
}

describe('soak', () => {
  let fake: FakeProvider<OpenAIRequest>;
  beforeAll(async () => {
    fake = await startOpenAIFake(soakModel);
  });
  afterAll(async () => {
    await fake.close();
  });
  const envOf = (home: string, extra: Record<string, string> = {}) =>
    cliEnv(home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_MODEL: 'openai-chat:gpt-4.1-mini', ...extra });

  async function startTogether(extra: Record<string, string>): Promise<Exit[]> {
    const ws = freshWorkspace();
    writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['notes'] }));
    const env = envOf(ws.home, extra);
    return Promise.all(Array.from({ length: STARTERS }, (_, index) => deckhand(['run', `soak start ${index}: what notes are on XYZ-789?`, '--json'], { cwd: ws.cwd, env })));
  }

  it(`${STARTERS} processes started at once on a fresh SQLite home all finish`, { timeout: 120_000 }, async () => {
    const started = performance.now();
    const exits = await startTogether({});
    expect(exits.filter((exit) => exit.code !== 0).map((exit) => exit.stderr)).toEqual([]);
    console.log(`soak: ${STARTERS} concurrent first runs on a fresh SQLite home: ${STARTERS} finished in ${Math.round(performance.now() - started)} ms`);
  });

  it(`${STARTERS} processes started at once on a fresh PostgreSQL database all finish`, { timeout: 120_000 }, async (context) => {
    if (!(await postgresReachable())) context.skip();
    const database = await createScratchDatabase();
    try {
      const started = performance.now();
      const exits = await startTogether({ DATABASE_URL: database.url });
      expect(exits.filter((exit) => exit.code !== 0).map((exit) => exit.stderr)).toEqual([]);
      console.log(`soak: ${STARTERS} concurrent first runs on a fresh PostgreSQL database: ${STARTERS} finished in ${Math.round(performance.now() - started)} ms`);
    } finally {
      await database.drop();
    }
  });

  // Invariants under random kill -9 of the executing process, each run resumed until it finishes: no event
  // shown is lost, no built-in side effect is repeated, every in-doubt call on a server that ignores idempotency
  // keys is asked about (and approved here, so it runs again), and the audit chain verifies.
  it(`${RUNS} runs killed at random points and resumed until finished`, { timeout: Math.max(240_000, RUNS * 6_000) }, async () => {
    const ws = freshWorkspace();
    const appended = join(ws.cwd, 'appended.txt');
    writeFileSync(
      join(ws.cwd, 'deckhand.json'),
      JSON.stringify({
        builtinServers: ['notes'],
        mcpServers: { append: { command: process.execPath, args: [APPEND_SERVER], env: { APPEND_FILE: appended, DELAY_MS: '300' } } },
      }),
    );
    const env = envOf(ws.home, { DECKHAND_ACTOR: 'soak' });
    const target = { cwd: ws.cwd, env };
    // The store is created before the lanes start, so every kill lands in a run, not in the first migration.
    expect((await runCli(['seed'], { env, cwd: ws.cwd, timeoutMs: 60_000 })).code).toBe(0);
    const db = () => new DatabaseSync(join(ws.home, 'deckhand.db'), { timeout: 10_000 });
    const read = <T>(sql: string, ...params: string[]): T[] => {
      const handle = db();
      try {
        return handle.prepare(sql).all(...params) as T[];
      } finally {
        handle.close();
      }
    };

    const printed: string[] = [];
    const figures = { processes: 0, kills: 0, restarts: 0, resumes: 0, asked: 0, approved: 0, failures: [] as string[] };
    const started = performance.now();

    async function soakRun(index: number): Promise<void> {
      const task = `Add a note to XYZ-789 and log it: soak run ${index}`;
      let runId: string | undefined;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        // The first process is killed 80% of the time, later ones less and less: each run ends.
        const kill = Math.random() < 0.8 / (attempt + 1) ? 1 + Math.floor(Math.random() * 14) : undefined;
        const args = runId ? ['resume', runId, '--yes', '--json'] : ['run', task, '--yes', '--json'];
        const exit = await deckhand(args, target, kill);
        figures.processes += 1;
        if (runId) figures.resumes += 1;
        printed.push(...exit.lines);
        if (exit.killed) figures.kills += 1;
        runId ??= read<{ id: string }>('select id from runs where task = ?', task)[0]?.id;
        if (!runId) {
          figures.restarts += 1; // killed before the run was stored: start it again
          continue;
        }
        if (exit.killed) continue;
        if (exit.code === 0) return;
        const events = exit.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        const requests = events.filter((event) => event.type === 'approval-request');
        if (exit.code === 3 && requests.length > 0) {
          // Paused on a call whose outcome is unknown: a person says run it again.
          for (const request of requests) {
            figures.asked += 1;
            const decided = await runCli(['approvals', 'approve', String(request.approvalId)], { env, cwd: ws.cwd, timeoutMs: 60_000 });
            if (decided.code === 0) figures.approved += 1;
          }
          continue;
        }
        if (exit.code === 4) continue; // a stale lease of a process killed a moment ago, not yet seen as dead
        figures.failures.push(`run ${index}: exit ${exit.code}: ${exit.stderr.trim()}`);
        return;
      }
      figures.failures.push(`run ${index}: not finished after ${MAX_ATTEMPTS} attempts`);
    }

    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < RUNS) await soakRun(next++);
      }),
    );
    const elapsedMs = Math.round(performance.now() - started);
    expect(figures.failures).toEqual([]);

    const runs = read<{ id: string; task: string; status: string }>("select id, task, status from runs where task like 'Add a note to XYZ-789 and log it: soak run %'");
    expect(runs).toHaveLength(RUNS);
    expect(runs.filter((run) => run.status !== 'finished')).toEqual([]);

    // 0 lost events: every line any process printed is stored, byte for byte (after its schemaVersion); each run's seqs have no gap.
    const stored = new Set(read<{ data: string }>('select data from run_events').map((row) => unversionedEventJson(row.data)));
    const lost = printed.filter((line) => !stored.has(line));
    expect(lost).toEqual([]);
    const gaps = read<{ run_id: string }>('select run_id from run_events group by run_id having max(seq) <> count(*)');
    expect(gaps).toEqual([]);

    // 0 duplicated side effects on the built-in servers: one note per run, whatever was killed and replayed.
    const notes = read<{ text: string; count: number }>("select text, count(*) as count from notes where author = 'soak' group by text");
    expect(notes).toHaveLength(RUNS);
    expect(notes.filter((note) => note.count !== 1)).toEqual([]);

    // Every in-doubt call on the non-idempotent fixture was asked about: each append started and never answered
    // (before a later resume) has its own approval, keyed by that attempt.
    let inDoubt = 0;
    for (const run of runs) {
      const events = read<{ seq: number; data: string }>('select seq, data from run_events where run_id = ? order by seq', run.id).map(
        (row) => ({ seq: row.seq, event: JSON.parse(row.data) as Record<string, unknown> }),
      );
      const open = new Map<string, number>();
      for (const { seq, event } of events) {
        if (event.type === 'tool-start' && event.server === 'append') open.set(String(event.toolCallId), seq);
        if ((event.type === 'tool-result' || event.type === 'tool-error') && event.server === 'append') open.delete(String(event.toolCallId));
        if (event.type === 'run-start' && event.resumed) {
          for (const [toolCallId, startSeq] of open) {
            inDoubt += 1;
            const asked = read<{ because: string }>('select because from approvals where run_id = ? and tool_call_id = ?', run.id, `${toolCallId}#${startSeq}`);
            expect(asked).toEqual([{ because: expect.stringContaining('this call may already have run') }]);
          }
          open.clear();
        }
      }
    }
    // A person approved each one, so a line was appended at most once per attempt: once, plus once per approval.
    const lines = readFileSync(appended, 'utf8').split('\n').filter(Boolean);
    for (let index = 0; index < RUNS; index++) {
      const count = lines.filter((line) => line === `soak run ${index}`).length;
      expect(count).toBeGreaterThanOrEqual(1);
    }
    expect(lines.length).toBeLessThanOrEqual(RUNS + figures.approved);

    const audit = await runCli(['audit', 'verify', '--json'], { env, cwd: ws.cwd, timeoutMs: 60_000 });
    expect(audit.code).toBe(0);

    console.log(
      `soak: ${RUNS} runs (${LANES} at a time) in ${elapsedMs} ms: ${figures.processes} processes, ${figures.kills} killed with -9 ` +
        `(${figures.restarts} before the run was stored), ${figures.resumes} resumes; ${printed.length} events printed, 0 lost; ` +
        `${notes.length} notes, 0 duplicated; ${inDoubt} in-doubt calls on the non-idempotent server, ${figures.asked} asked about, ` +
        `${figures.approved} approved (${lines.length - RUNS} lines appended again); audit chain intact (${String(parseJsonLines(audit.stdout)[0]?.entries ?? '?')} entries)`,
    );
  });
});
