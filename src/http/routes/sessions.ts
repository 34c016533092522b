import type { FastifyInstance } from 'fastify';
import { listSessions, sessionExists, sessionMessages, sessionView } from '../../app/sessions.js';
import type { ApiContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { IdParamsSchema, parseInput, StartRunBodySchema } from '../input.js';

/**
 * `GET /api/sessions`, `GET /api/sessions/:id/messages` (the stored transcript), and `POST /api/sessions/:id/runs`,
 * which starts a run continuing the session's transcript (so a restarted server continues with full context).
 */
export function sessionRoutes(app: FastifyInstance, { runtime, runs }: ApiContext): void {
  const noSession = (id: string) => new NotFoundError(`No session ${id}. List them at GET /api/sessions, or start one with POST /api/runs.`);
  const requireSession = async (id: string) => {
    if (!(await sessionExists(runtime.store, id))) throw noSession(id);
  };

  app.get('/api/sessions', async () => listSessions(runtime.store));

  app.get('/api/sessions/:id', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const session = await sessionView(runtime.store, id, (runId) => runs.isExecutingAnywhere(runId));
    if (!session) throw noSession(id);
    const { totals, runs: sessionRuns, approvals, ...head } = session;
    return { ...head, budgetUsd: runtime.settings.budgetUsd ?? null, totals, runs: sessionRuns, approvals };
  });

  app.get('/api/sessions/:id/messages', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    await requireSession(id);
    return sessionMessages(runtime.store, id);
  });

  app.post('/api/sessions/:id/runs', async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(StartRunBodySchema, request.body, 'body');
    await requireSession(id);
    return reply.status(202).send(await runs.start({ ...body, sessionId: id }));
  });
}
