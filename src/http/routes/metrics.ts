import type { FastifyInstance } from 'fastify';
import { ApprovalStore } from '../../store/approval-store.js';
import type { ApiContext } from '../context.js';

/**
 * `GET /metrics`: the host's Prometheus metrics (runs by outcome, model and tool latency, tokens and cost by model,
 * approvals pending, budget refusals, tool-cache hits) in the text exposition format. 404 when the runtime keeps none.
 */
export function metricsRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  const metrics = runtime.telemetry?.metrics;
  if (!metrics) return;
  app.get('/metrics', async (_request, reply) => {
    // Pending approvals live in the store (any process may add or resolve them): counted at scrape time.
    const pending = await new ApprovalStore(runtime.store.db).list({ status: 'pending' });
    metrics.approvalsPending.set(pending.length);
    const { contentType, body } = await metrics.expose();
    return reply.type(contentType).send(body);
  });
}
