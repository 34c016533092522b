import type { FastifyInstance } from 'fastify';
import { readServerResource, serverOffering } from '../../app/server-resources.js';
import { errorMessage } from '../../shared/errors.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { parseInput } from '../input.js';
import { DeploymentsQuerySchema } from '../schemas.js';

/** The MCP resources the UI's operations panels read, once a connected server (the DevOps one) offers them. */
export const PANEL_RESOURCES = { deployments: 'deployment://history', systemHealth: 'system://health' } as const;
type Panel = keyof typeof PANEL_RESOURCES;

/**
 * `GET /api/panels` (which operations panels have data: `{deployments, systemHealth}`), and `GET /api/deployments`
 * (`?cursor=` for the next page, `?environment=`) and `GET /api/system-health`: the JSON of the `deployment://history` and `system://health` resources of the
 * server that offers them (404 `NOT_AVAILABLE` while none does).
 */
export function operationsRoutes(app: FastifyInstance, { runtime, logger }: ApiContext): void {
  const read = async (panel: Panel, query: Record<string, string> = {}): Promise<unknown> => {
    const base = PANEL_RESOURCES[panel];
    const server = await serverOffering(runtime, base);
    const search = new URLSearchParams(query).toString();
    const uri = search ? `${base}?${search}` : base;
    if (!server) throw new ApiError(404, 'NOT_AVAILABLE', `No connected server offers ${base}; configure the DevOps server to see ${panel === 'deployments' ? 'deployments' : 'system health'}.`);
    try {
      const text = await readServerResource(runtime, server, uri);
      return { server, uri, data: JSON.parse(text) as unknown };
    } catch (error) {
      logger.warn({ server, uri, error: errorMessage(error) }, 'panel resource failed');
      throw new ApiError(502, 'RESOURCE_FAILED', `${server} could not serve ${uri}: ${errorMessage(error)}`);
    }
  };

  app.get('/api/panels', async () => {
    const [deployments, systemHealth] = await Promise.all([serverOffering(runtime, PANEL_RESOURCES.deployments), serverOffering(runtime, PANEL_RESOURCES.systemHealth)]);
    return { deployments: deployments !== undefined, systemHealth: systemHealth !== undefined };
  });
  app.get('/api/deployments', (request) => {
    const query = parseInput(DeploymentsQuerySchema, request.query, 'query');
    return read('deployments', { ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.environment ? { environment: query.environment } : {}) });
  });
  app.get('/api/system-health', () => read('systemHealth'));
}
