/**
 * Looks up a key only among an object's own properties. Model-supplied names must never reach
 * inherited ones: `tools['constructor']` on a plain object is a function, not a missing tool.
 */
export function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
