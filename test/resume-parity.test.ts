/**
 * The CLI and the HTTP API resume a run the same way (app/run-settings.ts): two identical runs pause on the same
 * side effect, the config changes meanwhile, one is resumed with `deckhand resume`, the other with
 * `POST /api/runs/:id/resume`. Both keep the run's own settings, fill what it lacks from the config, and end with
 * the same answer, having done the side effect once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeTurn } from './fakes/sse.js';
import { closeAll, openApi, runEnds, startFake } from './helpers/api-server.js';
import { cliEnv, freshWorkspace, parseJsonLines, runCli } from './helpers/cli.js';

const TASK = 'Lisa Park says her order XYZ-789 never arrived; add a note to the order.';
const SCRIPT: readonly FakeTurn[] = [
  {
    text: 'I will record her report on the order.',
    toolCalls: [{ name: 'notes__add_note', args: { entity: 'order:XYZ-789', text: 'Customer reports the parcel never arrived.', author: 'deckhand' } }],
    usage: { inputTokens: 500, outputTokens: 40 },
  },
  { text: 'Added the note to XYZ-789.', usage: { inputTokens: 700, outputTokens: 12 } },
];

afterEach(closeAll);

/** A run paused on notes.add_note and approved, in a fresh workspace; the config then gains `maxSteps: 7`. */
async function pausedAndApproved() {
  const fake = await startFake(SCRIPT);
  const ws = freshWorkspace();
  const config = (extra: Record<string, unknown>) => writeFileSync(join(ws.cwd, 'deckhand.json'), JSON.stringify({ builtinServers: ['notes'], ...extra }));
  config({});
  const env = cliEnv(ws.home, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1`, DECKHAND_MODEL: 'openai:gpt-4.1-mini', DECKHAND_ACTOR: 'alice' });
  const cli = (args: string[]) => runCli(args, { env, cwd: ws.cwd });
  const first = await cli(['run', TASK, '--json']);
  expect(first.code).toBe(3);
  const request = parseJsonLines(first.stdout).find((event) => event.type === 'approval-request') as { runId: string; approvalId: string };
  expect((await cli(['approvals', 'approve', request.approvalId])).code).toBe(0);
  config({ maxSteps: 7 });
  const read = <T>(sql: string, ...params: string[]): T[] => {
    const db = new DatabaseSync(join(ws.home, 'deckhand.db'), { readOnly: true, timeout: 10_000 });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  const outcome = () => {
    const [run] = read<{ status: string; final_text: string; options: string }>('select status, final_text, options from runs where id = ?', request.runId);
    const notes = read<{ text: string }>("select text from notes where entity_id = 'XYZ-789' and id not like 'N-000%'");
    return { status: run!.status, finalText: run!.final_text, settings: JSON.parse(run!.options) as unknown, notes: notes.map((note) => note.text) };
  };
  return { ws, fake, cli, runId: request.runId, outcome };
}

describe('resume parity', () => {
  it('deckhand resume and POST /api/runs/:id/resume give the same answer with the same settings', { timeout: 90_000 }, async () => {
    const viaCli = await pausedAndApproved();
    const resumed = await viaCli.cli(['resume', viaCli.runId, '--json']);
    expect(resumed.code).toBe(0);
    expect(parseJsonLines(resumed.stdout).at(-1)).toMatchObject({ type: 'run-end', outcome: 'finished' });

    const viaApi = await pausedAndApproved();
    const api = await openApi(viaApi.ws, viaApi.fake);
    const ended = runEnds(api, viaApi.runId, 2);
    const response = await api.inject({ method: 'POST', url: `/api/runs/${viaApi.runId}/resume` });
    expect(response.statusCode).toBe(202);
    expect((await ended).at(-1)).toMatchObject({ outcome: 'finished' });
    await api.close();

    const expected = {
      status: 'finished',
      finalText: 'Added the note to XYZ-789.',
      // The run's own settings, and maxSteps from the config it lacked: the same precedence on both paths.
      settings: { schemaVersion: 1, model: 'openai:gpt-4.1-mini', yes: false, maxSteps: 7 },
      notes: ['Customer reports the parcel never arrived.'],
    };
    expect(viaCli.outcome()).toEqual(expected);
    expect(viaApi.outcome()).toEqual(expected);
  });
});
