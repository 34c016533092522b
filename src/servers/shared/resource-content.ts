/** @module Small builders for the read-only resources and prompts in each server's `resources.ts`. */
import type { ContentBlock, McpServer, ReadResourceResult, Variables } from '@modelcontextprotocol/server';
import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, ResourceTemplate } from '@modelcontextprotocol/server';

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

/**
 * Registers a template resource for one record by id (`crm://customers/{customer_id}`): reads the id variable,
 * normalises it (upper case by default), loads the record and answers it as JSON, or resource-not-found with
 * `hint` when there is none.
 */
export function registerRecordTemplate<T>(
  server: McpServer,
  options: {
    name: string;
    template: string;
    variable: string;
    title: string;
    description: string;
    /** What the id names, for the not-found message: `customer`, `order`. */
    what: string;
    hint: string;
    load: (id: string) => Promise<T | undefined>;
    normalise?: (id: string) => string;
  },
): void {
  const normalise = options.normalise ?? ((id: string) => id.toUpperCase());
  server.registerResource(
    options.name,
    new ResourceTemplate(options.template, { list: undefined }),
    { title: options.title, description: options.description, mimeType: 'application/json' },
    async (uri, variables) => {
      const id = normalise(idVariable(variables, options.variable));
      const record = await options.load(id);
      return record ? jsonResource(uri, record) : notFound(uri, `${options.what} ${id}`, options.hint);
    },
  );
}
