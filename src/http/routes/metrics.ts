import type { FastifyInstance } from 'fastify';
import { pendingApprovalCount } from '../../app/approvals.js';
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
    metrics.approvalsPending.set(await pendingApprovalCount(runtime.store));
    const { contentType, body } = await metrics.expose();
    return reply.type(contentType).send(body);
  });
}
