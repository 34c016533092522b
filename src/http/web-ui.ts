/**
 * @module The web UI's static files (built by `npm run build` into `dist/web/`), served at `/` by `deckhand serve`,
 * with the single-page app's `index.html` for any other non-API path. They hold no data, so they need no token.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../shared/package-info.js';

/** Where the built UI lives: `dist/web/` of the package. */
export function webRoot(): string {
  return join(packageRoot(), 'dist', 'web');
}

/** Serves the UI from `root` (default {@link webRoot}); without a build, `/` says how to make one. */
export async function registerWebUi(app: FastifyInstance, root = webRoot()): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', async (_request, reply) =>
      reply.status(503).type('text/plain').send('The web UI is not built: run `npm run build` in the deckhand package, then restart `deckhand serve`. The API is at /api.'),
    );
    return;
  }
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: false, cacheControl: false, setHeaders: (response, path) => {
    // Hashed assets never change; index.html must be fetched fresh to pick up a new build.
    response.header('cache-control', path.includes(`${join('/', 'assets', '/')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
  } });
}
