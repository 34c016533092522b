import type { FastifyInstance } from 'fastify';
import { storeAnswers } from '../../app/store.js';
import { VERSION } from '../../shared/package-info.js';
import type { ApiContext } from '../context.js';

/**
 * `GET /health` (liveness: the process answers; no token) and `GET /ready` (the store answers a query and every
 * configured MCP server is connected; 503 with what is not, otherwise). Neither says more than that.
 */
export function probeRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  app.get('/health', async () => ({ ok: true, version: VERSION }));

  app.get('/ready', async (_request, reply) => {
    const store = await storeAnswers(runtime.store);
    const servers = runtime.host.status().map((server) => ({ name: server.name, state: server.state }));
    const ready = store && servers.every((server) => server.state === 'ready');
    return reply.status(ready ? 200 : 503).send({ ready, store, servers });
  });
}
