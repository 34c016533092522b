import type { FastifyInstance } from 'fastify';
import { sessionTotals } from '../../app/usage-report.js';
import { approvalJson } from '../../store/approval-store.js';
import { SessionStore } from '../../store/session-store.js';
import type { ApiContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { IdParamsSchema, parseInput, StartRunBodySchema } from '../input.js';

/**
 * `GET /api/sessions`, `GET /api/sessions/:id/messages` (the stored transcript), and `POST /api/sessions/:id/runs`,
 * which starts a run continuing the session's transcript (so a restarted server continues with full context).
 */
export function sessionRoutes(app: FastifyInstance, { runtime, runs }: ApiContext): void {
  const sessions = new SessionStore(runtime.store.db);
  const requireSession = async (id: string) => {
    const row = await runtime.store.db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`No session ${id}. List them at GET /api/sessions, or start one with POST /api/runs.`);
  };

  app.get('/api/sessions', async () => {
    const rows = await sessions.list();
    return rows.map((row) => ({ id: row.id, title: row.title, createdAt: row.created_at, runs: row.runs }));
  });

  app.get('/api/sessions/:id', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const { db } = runtime.store;
    const session = await db.selectFrom('sessions').select(['id', 'title', 'created_at']).where('id', '=', id).executeTakeFirst();
    if (!session) throw new NotFoundError(`No session ${id}. List them at GET /api/sessions, or start one with POST /api/runs.`);
    const runRows = await db.selectFrom('runs').select(['id', 'task', 'status', 'started_at']).where('session_id', '=', id).orderBy('started_at').execute();
    const approvals = await db.selectFrom('approvals').selectAll().where('session_id', '=', id).orderBy('created_at').orderBy('id').execute();
    return {
      id: session.id,
      title: session.title,
      createdAt: session.created_at,
      budgetUsd: runtime.settings.budgetUsd ?? null,
      totals: await sessionTotals(runtime.store, id),
      runs: runRows.map((row) => ({ id: row.id, task: row.task, status: row.status, startedAt: row.started_at, executing: runs.isExecuting(row.id) })),
      approvals: approvals.map(approvalJson),
    };
  });

  app.get('/api/sessions/:id/messages', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    await requireSession(id);
    return sessions.messages(id);
  });

  app.post('/api/sessions/:id/runs', async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(StartRunBodySchema, request.body, 'body');
    await requireSession(id);
    return reply.status(202).send(await runs.start({ ...body, sessionId: id }));
  });
}
