/**
 * JSON with object keys sorted at every level, so equal values always give equal text (`{"b":1,"a":2}` and
 * `{"a":2,"b":1}` both give `{"a":2,"b":1}`): the key of a cached tool call, the identity of a repeated one.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}
