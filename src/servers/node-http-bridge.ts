/**
 * @module The two conversions between `node:http` and the web-standard `Request`/`Response` the MCP SDK's HTTP
 * transport speaks, plus the Host/Origin guard against DNS rebinding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';

/** A web `Request` for a `node:http` request; the body streams (it is read at most once, under a size limit). */
export function toWebRequest(request: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(key, item);
    else if (value !== undefined) headers.set(key, value);
  }
  const method = request.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(request.url ?? '/', origin), {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  });
}

/**
 * Writes a web `Response` to a `node:http` response. Headers go out at once, because an SSE stream may stay
 * silent until its first event and the client waits for the status line. When the client goes away, the body
 * stream is cancelled, which is how the SDK transport learns that an SSE stream closed.
 */
export async function sendWebResponse(response: Response, out: ServerResponse): Promise<void> {
  out.statusCode = response.status;
  response.headers.forEach((value, key) => {
    out.setHeader(key, value);
  });
  if (!response.body) {
    out.end();
    return;
  }
  out.flushHeaders();
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), out);
  } catch {
    // The client disconnected mid-stream (ERR_STREAM_PREMATURE_CLOSE): nothing left to answer.
  }
}

/** Hostnames a DNS-rebinding guard accepts in `Host`, or undefined to skip the Host check (wildcard binds). */
export function allowedHostnamesFor(host: string): string[] | undefined {
  if (isWildcardHost(host)) return undefined;
  const bound = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const localhost = localhostAllowedHostnames();
  return localhost.includes(bound) ? localhost : [...localhost, bound];
}

/** `0.0.0.0` and `::` listen on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Whether `host` only reaches this machine: `localhost`, `127.x.x.x` or `::1`. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || host === '[::1]';
}

/**
 * The DNS-rebinding guard (MCP transport spec, "Security Warning"): a 403 JSON-RPC error when `Host` does not name
 * this server (`allowedHostnames`; undefined skips the check) or when an `Origin` is present and is not a localhost
 * origin; undefined when the request may proceed. A browser tricked into calling us by a rebound DNS name sends that
 * name in both headers; programs (no `Origin`) calling a loopback address pass.
 *
 * Hostnames are compared without the port, as the SDK's helpers do: a rebinding attack changes the name, never only the
 * port, and port-agnostic checks keep `ssh -L` and other port forwards working.
 */
export function rebindingRejection(request: Request, allowedHostnames: string[] | undefined): Response | undefined {
  return (
    (allowedHostnames ? hostHeaderValidationResponse(request, allowedHostnames) : undefined) ??
    originValidationResponse(request, localhostAllowedOrigins())
  );
}
