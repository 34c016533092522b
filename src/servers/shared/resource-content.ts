/** @module Small builders for the read-only resources and prompts in `resources-*.ts`. */
import type { ContentBlock, ReadResourceResult, Variables } from '@modelcontextprotocol/server';
import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError } from '@modelcontextprotocol/server';

/** Most rows a list resource returns; the tools page through more. */
export const RESOURCE_LIST_LIMIT = 50;

/** A resource read result holding `value` as pretty JSON. */
export function jsonResource(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

/** A prompt content block embedding `value` as a JSON resource, so the model gets the data with the instructions. */
export function embeddedJson(uri: string, value: unknown): ContentBlock {
  return { type: 'resource', resource: { uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) } };
}

/** One template variable, percent-decoded and trimmed (a malformed escape is kept as written). */
export function idVariable(variables: Variables, key: string): string {
  const value = variables[key];
  const raw = String(Array.isArray(value) ? value[0] : (value ?? ''));
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim();
  }
}

/** Throws the protocol's resource-not-found error (-32002) with a message naming the fix. */
export function notFound(uri: URL, what: string, hint: string): never {
  throw new ResourceNotFoundError(uri.href, `No ${what}. ${hint}`);
}

/** Throws invalid-params (-32602): for a prompt argument naming something that does not exist. */
export function unknownArgument(message: string): never {
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}
