import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

/** `GET /api/servers`: every configured MCP server with its state, target, error, and tools (description, annotations). */
export function serverRoutes(app: FastifyInstance, { runtime }: ApiContext): void {
  app.get('/api/servers', async () =>
    runtime.host.status().map((server) => ({
      name: server.name,
      state: server.state,
      target: server.target,
      ...(server.error ? { error: server.error } : {}),
      trusted: runtime.settings.trustedServers.has(server.name),
      tools: server.tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        ...(tool.annotations ? { annotations: tool.annotations } : {}),
      })),
    })),
  );
}
