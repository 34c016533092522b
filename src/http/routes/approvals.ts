import type { FastifyInstance } from 'fastify';
import { listApprovals } from '../../app/approvals.js';
import { decideApproval, toDecisionRequest } from '../approvals.js';
import type { ApiContext } from '../context.js';
import { ListApprovalsQuerySchema } from '../schemas.js';
import { actorFrom, AnswerBodySchema, ApproveBodySchema, DenyBodySchema, IdParamsSchema, parseInput } from '../input.js';


/**
 * `GET /api/approvals?status=pending|all`, and `POST /api/approvals/:id/approve|deny|answer` (who decided: the
 * `x-deckhand-actor` header, else `api`). 404 for an unknown id, 409 when already resolved; `resume: true`
 * resumes the run once nothing else of it is pending.
 */
export function approvalRoutes(app: FastifyInstance, { runtime, runs, onApprovalDecided }: ApiContext): void {
  const context = { store: runtime.store, runs, onDecided: onApprovalDecided };

  app.get('/api/approvals', async (request) => {
    const { status } = parseInput(ListApprovalsQuerySchema, request.query, 'query');
    return listApprovals(runtime.store, { status });
  });

  app.post('/api/approvals/:id/approve', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const by = actorFrom(request.headers);
    const body = parseInput(ApproveBodySchema, request.body ?? {}, 'body');
    return decideApproval(context, id, toDecisionRequest({ type: 'approve', approvalId: id, ...body }, by));
  });

  app.post('/api/approvals/:id/deny', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const by = actorFrom(request.headers);
    const body = parseInput(DenyBodySchema, request.body ?? {}, 'body');
    return decideApproval(context, id, toDecisionRequest({ type: 'deny', approvalId: id, ...body }, by));
  });

  app.post('/api/approvals/:id/answer', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const by = actorFrom(request.headers);
    const body = parseInput(AnswerBodySchema, request.body, 'body');
    return decideApproval(context, id, toDecisionRequest({ type: 'answer', approvalId: id, ...body }, by));
  });
}
