/**
 * @module Stored run events as the CLI printed them. An event is stored as its JSON with `schemaVersion` first
 * (src/contracts/stored.ts); without it, the rest is the printed line byte for byte (key order and values kept).
 */

/** The stored event's JSON without its `schemaVersion`; throws unless that version is 1. */
export function unversionedEventJson(data: string): string {
  const { schemaVersion, ...event } = JSON.parse(data) as { schemaVersion?: unknown };
  if (schemaVersion !== 1) throw new Error(`stored event has schemaVersion ${String(schemaVersion)}, expected 1: ${data.slice(0, 200)}`);
  return JSON.stringify(event);
}
