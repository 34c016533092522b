import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../shared/package-info.js';
import type { ApiContext } from '../context.js';

/** `GET /api/health`: the version, the model, and each MCP server's state and tools; `ok` when all are ready. */
export function healthRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  app.get('/api/health', async () => {
    const servers = runtime.host.status().map((server) => ({
      name: server.name,
      state: server.state,
      tools: server.tools.map((tool) => tool.name),
      ...(server.error ? { error: server.error } : {}),
    }));
    return { ok: servers.every((server) => server.state === 'ready'), version: VERSION, model: runtime.model.id, servers };
  });
}
