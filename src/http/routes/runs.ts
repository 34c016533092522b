import type { FastifyInstance } from 'fastify';
import { requireRun, runView } from '../../app/runs.js';
import type { ApiContext } from '../context.js';
import { IdParamsSchema, parseInput, ResumeBodySchema, StartRunBodySchema } from '../input.js';

/**
 * `POST /api/runs` (a run in a new session, 202), `GET /api/runs/:id` (status, totals, final text),
 * `GET /api/runs/:id/events` (the stored events) and `POST /api/runs/:id/resume` (202; 409 once finished).
 */
export function runRoutes(app: FastifyInstance, { runtime, runs }: ApiContext): void {
  app.post('/api/runs', async (request, reply) => {
    const body = parseInput(StartRunBodySchema, request.body, 'body');
    return reply.status(202).send(await runs.start(body));
  });

  app.get('/api/runs/:id', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const { pendingApprovals, ...run } = await runView(runtime.store, id);
    return { ...run, executing: await runs.isExecutingAnywhere(id), pendingApprovals };
  });

  app.get('/api/runs/:id/events', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    return runs.storedEvents(id);
  });

  app.post('/api/runs/:id/cancel', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    await requireRun(runtime.store, id);
    return runs.cancel(id);
  });

  app.post('/api/runs/:id/resume', async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(ResumeBodySchema, request.body ?? {}, 'body');
    return reply.status(202).send(await runs.resume(id, body));
  });
}
