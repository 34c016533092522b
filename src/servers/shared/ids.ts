import { randomUUID } from 'node:crypto';

/** A short random id with a readable prefix: `N-3f9a1c2b`. Eight hex digits make collisions negligible at this scale. */
export function newId(prefix: string): string {
  return `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

export const nowIso = (): string => new Date().toISOString();

/** `12990` → `$129.90`. */
export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
