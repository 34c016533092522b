/**
 * @module One naming style for the CLI's JSON: camelCase keys, as in the run events and the HTTP API.
 */

/** A row's keys in camelCase (`run_id` → `runId`); values are left as they are. */
export function camelCaseKeys(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase()), value]));
}
