/**
 * @module DNS-rebinding protection: a page on another site can make a browser send requests to 127.0.0.1, but
 * it cannot make the browser say `Host: localhost` or a local `Origin`, so requests naming another host are refused.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** 403: the request names a host this server does not answer for. */
export class ForbiddenHostError extends ApiError {
  constructor(what: string, value: string) {
    super(403, 'FORBIDDEN_HOST', `${what} '${value}' is not allowed: this server answers only requests addressed to it (DNS rebinding protection). Start it with --host NAME to serve another name.`);
  }
}

function hostnameOf(value: string, withScheme: boolean): string | undefined {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * An `onRequest` hook refusing (403) a request whose `Host`, or `Origin` when sent, is not a loopback name or
 * `bindHost`. Binding a wildcard address (`0.0.0.0`, `::`) turns the check off: any name may reach the server then.
 */
export function hostGuard(bindHost: string): (request: FastifyRequest) => Promise<void> {
  const bound = hostnameOf(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost, false);
  const allowed = new Set([...LOOPBACK_NAMES, ...(bound ? [bound] : [])]);
  const open = WILDCARD_HOSTS.has(bindHost);
  return async (request) => {
    if (open) return;
    const host = request.headers.host ?? '';
    const hostname = hostnameOf(host, false);
    if (!hostname || !allowed.has(hostname)) throw new ForbiddenHostError('Host', host);
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const originHost = hostnameOf(origin, true);
    if (!originHost || !allowed.has(originHost)) throw new ForbiddenHostError('Origin', origin);
  };
}
