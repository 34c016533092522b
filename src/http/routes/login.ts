import type { FastifyInstance } from 'fastify';
import { setTokenCookie } from '../auth.js';
import type { ApiContext } from '../context.js';

/**
 * `POST /api/login` (with the token as a Bearer header, checked by the guard like every `/api` route): sets the
 * HttpOnly cookie the UI uses from then on, so the token leaves the address bar. `POST /api/logout` clears it.
 */
export function loginRoutes(app: FastifyInstance, _context: ApiContext, token: string): void {
  app.post('/api/login', async (request, reply) => {
    setTokenCookie(reply, token, request.protocol === 'https');
    return { ok: true };
  });
  app.post('/api/logout', async (_request, reply) => {
    reply.header('set-cookie', 'deckhand_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    return { ok: true };
  });
}
