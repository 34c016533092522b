import { SessionStore } from '../../store/session-store.js';
import { withSettingsStore } from '../settings-store.js';

/** `deckhand sessions [--json]`: recent sessions with their run counts. */
export async function sessionsCommand(options: { json?: boolean }): Promise<number> {
  return withSettingsStore(async (store) => {
    const sessions = await new SessionStore(store.db).list();
    const runs = await store.db
      .selectFrom('runs')
      .select(['id', 'session_id', 'status', 'task', 'started_at'])
      .orderBy('started_at', 'desc')
      .limit(200)
      .execute();
    if (options.json) {
      // One naming style for every JSON output: camelCase, as the events and the HTTP API use.
      const document = sessions.map((session) => ({
        id: session.id,
        title: session.title,
        createdAt: session.created_at,
        runs: session.runs,
        recentRuns: runs
          .filter((run) => run.session_id === session.id)
          .map((run) => ({ id: run.id, sessionId: run.session_id, status: run.status, task: run.task, startedAt: run.started_at })),
      }));
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return 0;
    }
    if (sessions.length === 0) process.stdout.write('No sessions yet.\n');
    for (const session of sessions) {
      process.stdout.write(`${session.id}  ${session.created_at}  ${session.runs} run${session.runs === 1 ? '' : 's'}  ${session.title ?? ''}\n`);
      for (const run of runs.filter((candidate) => candidate.session_id === session.id).slice(0, 3)) {
        process.stdout.write(`    ${run.id}  ${run.status.padEnd(16)} ${run.task.slice(0, 70)}\n`);
      }
    }
    return 0;
  });
}
