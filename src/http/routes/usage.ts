import type { FastifyInstance } from 'fastify';
import { usageReport } from '../../app/usage-report.js';
import type { ApiContext } from '../context.js';
import { parseInput } from '../input.js';
import { UsageQuerySchema } from '../schemas.js';

const DAY_MS = 86_400_000;

/** `GET /api/usage?days=30`: runs, tokens and cost per day and model, and per model, over the last `days` days. */
export function usageRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  app.get('/api/usage', async (request) => {
    const { days } = parseInput(UsageQuerySchema, request.query, 'query');
    const since = new Date(Date.now() - days * DAY_MS);
    since.setUTCHours(0, 0, 0, 0);
    return usageReport(runtime.store, since.toISOString());
  });
}
