/**
 * @module How a server's tool is named to the model (`server__tool`, what providers accept) and to people
 * (`server.tool`): pure functions the MCP host and the front ends (`deckhand servers`) both use.
 */
import { createHash } from 'node:crypto';

/** Providers accept tool names matching this (OpenAI and Anthropic agree on it). */
const PROVIDER_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_TOOL_NAME_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * The model-facing name of a tool: `server__tool`. Characters providers reject become `_`; names longer
 * than 64 characters are cut and end with a short hash of the full name so two long names stay distinct.
 */
export function toModelToolName(server: string, tool: string): string {
  const raw = `${server}__${tool}`;
  if (PROVIDER_TOOL_NAME.test(raw)) return raw;
  // Replaced characters or a cut can make two names collide; the hash of the original keeps them apart.
  const cleaned = raw.replace(/[^a-zA-Z0-9_-]/g, '_');
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, HASH_LENGTH);
  return `${cleaned.slice(0, MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 1)}_${hash}`;
}

/** The name people read: `server.tool`. */
export function toDisplayToolName(server: string, tool: string): string {
  return `${server}.${tool}`;
}
