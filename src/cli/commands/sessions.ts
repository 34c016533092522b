import { recentRuns } from '../../app/runs.js';
import { listSessions } from '../../app/sessions.js';
import { withSettingsStore } from '../../app/store.js';

/** `deckhand sessions [--json]`: recent sessions with their run counts. */
export async function sessionsCommand(options: { json?: boolean }): Promise<number> {
  return withSettingsStore(async (store) => {
    const sessions = await listSessions(store);
    const runs = await recentRuns(store, 200);
    if (options.json) {
      // One naming style for every JSON output: camelCase, as the events and the HTTP API use.
      const document = sessions.map((session) => ({
        id: session.id,
        title: session.title,
        createdAt: session.createdAt,
        runs: session.runs,
        recentRuns: runs
          .filter((run) => run.sessionId === session.id)
          .map((run) => ({ id: run.id, sessionId: run.sessionId, status: run.status, task: run.task, startedAt: run.startedAt })),
      }));
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return 0;
    }
    if (sessions.length === 0) process.stdout.write('No sessions yet.\n');
    for (const session of sessions) {
      process.stdout.write(`${session.id}  ${session.createdAt}  ${session.runs} run${session.runs === 1 ? '' : 's'}  ${session.title ?? ''}\n`);
      for (const run of runs.filter((candidate) => candidate.sessionId === session.id).slice(0, 3)) {
        process.stdout.write(`    ${run.id}  ${run.status.padEnd(16)} ${run.task.slice(0, 70)}\n`);
      }
    }
    return 0;
  });
}
