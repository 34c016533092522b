/**
 * @module Persisted state and its versions. Everything the host stores as JSON of its own shape carries a
 * `schemaVersion`; what is read back is parsed here, never cast. A row written before versions existed (no
 * `schemaVersion`) has the shape of version 1 and is read as such; a row from a newer release, or one that does
 * not parse, is reported with what is wrong, for the store to name the run in its error.
 */
import { z } from 'zod';
import { type RunEvent, RunEventSchema } from './run-event.js';
import { type RunSettings, RunSettingsSchema } from './run-settings.js';

/** The version of a stored run event (`run_events.data`). */
export const EVENT_SCHEMA_VERSION = 1;
/** The version of a run's stored settings (`runs.options`). */
export const SETTINGS_SCHEMA_VERSION = 1;

/** A `safe*` parser's answer: the value, or a sentence saying what is wrong. */
export type ParseResult<T> = { readonly success: true; readonly value: T } | { readonly success: false; readonly error: string };

const ObjectSchema = z.record(z.string(), z.unknown());
const VersionSchema = z.object({ schemaVersion: z.number().int().positive().optional() });

/** Reads `text` as JSON and checks its `schemaVersion` against `current`; returns the object without it. */
function versioned(text: string, current: number): ParseResult<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { success: false, error: 'it is not JSON' };
  }
  const object = ObjectSchema.safeParse(value);
  if (!object.success || Array.isArray(value)) return { success: false, error: 'it is not a JSON object' };
  const version = VersionSchema.safeParse(object.data);
  if (!version.success) return { success: false, error: 'its schemaVersion is not a positive integer' };
  const found = version.data.schemaVersion;
  if (found !== undefined && found > current) {
    return { success: false, error: `it has schemaVersion ${found}, written by a newer Deckhand (this one reads up to ${current}); upgrade Deckhand` };
  }
  const { schemaVersion: _version, ...rest } = object.data;
  return { success: true, value: rest };
}

/** What is wrong with a value, in one line: the first issue and where. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'it does not match its schema';
  const path = issue.path.length > 0 ? issue.path.join('.') : 'the value';
  return `${path}: ${issue.message}`;
}

/** The JSON a run event is stored as: the event with its `schemaVersion`. */
export function storedEventJson(event: RunEvent): string {
  // The same text as stringifying `{ schemaVersion, ...event }`, without copying the event first: a step writes
  // several, and this is on every step's path. An event always has a `type`, so its JSON is never `{}`.
  return `{"schemaVersion":${EVENT_SCHEMA_VERSION},${JSON.stringify(event).slice(1)}`;
}

/** Parses a stored run event (`run_events.data`). */
export function safeParseStoredEvent(text: string): ParseResult<RunEvent> {
  const raw = versioned(text, EVENT_SCHEMA_VERSION);
  if (!raw.success) return raw;
  const parsed = RunEventSchema.safeParse(raw.value);
  return parsed.success ? { success: true, value: parsed.data } : { success: false, error: describe(parsed.error) };
}

/** The JSON a run's settings are stored as: the settings with their `schemaVersion`. */
export function storedSettingsJson(settings: RunSettings): string {
  return JSON.stringify({ schemaVersion: SETTINGS_SCHEMA_VERSION, ...settings });
}

/**
 * Parses a run's stored settings (`runs.options`). `model` is the run's model column, used when settings stored
 * before versions existed lack one.
 */
export function safeParseStoredSettings(text: string, model: string): ParseResult<RunSettings> {
  const raw = versioned(text, SETTINGS_SCHEMA_VERSION);
  if (!raw.success) return raw;
  const parsed = RunSettingsSchema.safeParse({ yes: false, ...raw.value, model: raw.value.model ?? model });
  return parsed.success ? { success: true, value: parsed.data } : { success: false, error: describe(parsed.error) };
}
