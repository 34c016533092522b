/** JSON calls to the API; the HttpOnly cookie set by `login` carries the token. */

/** An error response of the API, with its code. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const value = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (value as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiFailure(response.status, error?.code ?? 'HTTP', error?.message ?? `${method} ${path}: ${response.status}`);
  }
  return value as T;
}

/** GET a JSON resource. */
export const getJson = <T>(path: string) => request<T>('GET', path);
/** POST a JSON body. */
export const postJson = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});

/**
 * Exchanges a token from the address bar for the HttpOnly cookie, then removes it from the address bar (and the
 * history entry), so it is not left in the URL, the history or a screenshot.
 */
export async function loginFromUrl(): Promise<void> {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  await request('POST', '/api/login', {}, { authorization: `Bearer ${token}` });
}
