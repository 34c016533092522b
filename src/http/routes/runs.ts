import type { FastifyInstance } from 'fastify';
import { ApprovalStore } from '../../store/approval-store.js';
import type { ApiContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { IdParamsSchema, parseInput, ResumeBodySchema, StartRunBodySchema } from '../input.js';

/**
 * `POST /api/runs` (a run in a new session, 202), `GET /api/runs/:id` (status, totals, final text),
 * `GET /api/runs/:id/events` (the stored events) and `POST /api/runs/:id/resume` (202; 409 once finished).
 */
export function runRoutes(app: FastifyInstance, { runtime, runs }: ApiContext): void {
  const { db } = runtime.store;

  app.post('/api/runs', async (request, reply) => {
    const body = parseInput(StartRunBodySchema, request.body, 'body');
    return reply.status(202).send(await runs.start(body));
  });

  app.get('/api/runs/:id', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`No run ${id}.`);
    const pending = await new ApprovalStore(db).list({ status: 'pending', runId: id });
    return {
      id: row.id,
      sessionId: row.session_id,
      task: row.task,
      model: row.model,
      status: row.status,
      executing: runs.isExecuting(id),
      startedAt: row.started_at,
      endedAt: row.ended_at,
      totals: {
        steps: Number(row.steps),
        toolCalls: Number(row.tool_calls),
        inputTokens: Number(row.input_tokens),
        outputTokens: Number(row.output_tokens),
        costUsd: Number(row.cost_usd),
      },
      finalText: row.final_text,
      error: row.error,
      pendingApprovals: pending.map((approval) => approval.id),
    };
  });

  app.get('/api/runs/:id/events', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const row = await db.selectFrom('runs').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`No run ${id}.`);
    return runs.storedEvents(id);
  });

  app.post('/api/runs/:id/cancel', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const row = await db.selectFrom('runs').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`No run ${id}.`);
    return runs.cancel(id);
  });

  app.post('/api/runs/:id/resume', async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(ResumeBodySchema, request.body ?? {}, 'body');
    return reply.status(202).send(await runs.resume(id, body));
  });
}
