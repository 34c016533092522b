/**
 * @module The access token of `deckhand serve`: generated on first start and kept in `$DECKHAND_HOME/api-token`
 * (mode 0600), or given with `DECKHAND_TOKEN` / `--token`. Every `/api` route and WebSocket needs it, as
 * `Authorization: Bearer …` or as the `deckhand_token` cookie the UI obtains from `POST /api/login`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UsageError } from '../shared/errors.js';
import { ApiError } from './errors.js';

/** The file under `$DECKHAND_HOME` that holds the generated token. */
export const TOKEN_FILE = 'api-token';
/** The cookie the UI's login sets (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = 'deckhand_token';
/** Paths served without a token: liveness and readiness probes, and the UI's static files (which hold no data). */
const PROTECTED_PREFIXES = ['/api/', '/ws/'];

/** Where the token came from. `generated` means this start created it (print it: nobody has seen it yet). */
export type TokenSource = 'flag' | 'env' | 'file' | 'generated';

/** 401: no token, or the wrong one. */
export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, 'UNAUTHORIZED', message);
  }
}

/**
 * The token to serve with: `explicit` (from `--token` or `DECKHAND_TOKEN`) when given, else the one stored in
 * `home`, else a new random one written there with mode 0600. Throws `UsageError` when the file cannot be read or
 * written.
 */
export function resolveToken(options: { home: string; explicit?: string; explicitSource?: 'flag' | 'env' }): { token: string; source: TokenSource; file?: string } {
  if (options.explicit !== undefined) return { token: options.explicit, source: options.explicitSource ?? 'flag' };
  const file = join(options.home, TOKEN_FILE);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 16) return { token: stored, source: 'file', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`Cannot read the API token ${file}: ${(error as Error).message}. Fix its permissions or delete it to get a new one.`, { cause: error });
  }
  const token = randomBytes(24).toString('base64url');
  try {
    mkdirSync(options.home, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    // The mode of writeFileSync applies only to a new file; an old empty one keeps its mode otherwise.
    chmodSync(file, 0o600);
  } catch (error) {
    throw new UsageError(`Cannot write the API token to ${file}: ${(error as Error).message}. Set DECKHAND_TOKEN instead.`, { cause: error });
  }
  return { token, source: 'generated', file };
}

/** Compares in constant time (both sides hashed first, so neither the length nor a prefix leaks through timing). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: the Bearer header first, then the cookie. */
export function presentedToken(request: FastifyRequest): { token: string; via: 'header' | 'cookie' } | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1]) return { token: match[1], via: 'header' };
  }
  const cookie = cookieValue(request.headers.cookie, TOKEN_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** True when the request's `Origin` names the same host as its `Host` header (or it has no `Origin`). */
export function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host.toLowerCase() === (request.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/**
 * An `onRequest` hook requiring the token on `/api/*` and `/ws/*` (401 otherwise). A cookie-borne token counts only
 * on a same-origin request, and a WebSocket handshake must be same-origin whatever it carries: a page on another
 * site cannot drive the agent through the user's browser (cross-site request forgery, WebSocket hijacking), even
 * when the server is bound to a wildcard address and the Host check is off.
 */
export function tokenGuard(expected: string): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!PROTECTED_PREFIXES.some((prefix) => path.startsWith(prefix))) return;
    const isUpgrade = (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const presented = presentedToken(request);
    if ((isUpgrade || presented?.via === 'cookie') && !isSameOrigin(request)) {
      throw new ApiError(403, 'FORBIDDEN_ORIGIN', `Origin '${request.headers.origin}' is not this server's: cross-site requests are refused.`);
    }
    if (!presented) throw new UnauthorizedError('An access token is required: send "Authorization: Bearer <token>" (the token `deckhand serve` printed, or DECKHAND_TOKEN), or open the printed URL in a browser.');
    if (!tokensMatch(presented.token, expected)) throw new UnauthorizedError('The access token is wrong: use the one `deckhand serve` printed (stored in $DECKHAND_HOME/api-token) or DECKHAND_TOKEN.');
  };
}

/** `Set-Cookie` for the UI's session: HttpOnly (no script reads it), SameSite=Strict, the whole site. */
export function setTokenCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=2592000`);
}

/** Whether `host` is a loopback address or name: binding anything else needs an explicit token. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
