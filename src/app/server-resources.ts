/**
 * @module The MCP resources of the runtime's connected servers, as a front end reads them (the UI's operations
 * panels): which ready server offers a resource, and its text. Front ends reach the servers through these, never
 * through the MCP host itself.
 */
import type { Runtime } from './runtime.js';

/** The first ready server of the runtime that lists `uri` among its resources; undefined when none does. */
export async function serverOffering(runtime: Pick<Runtime, 'host'>, uri: string): Promise<string | undefined> {
  const { host } = runtime;
  for (const server of host.status()) {
    if (server.state !== 'ready') continue;
    try {
      const resources = (await host.connection(server.name)?.listResources()) ?? [];
      if (resources.some((resource) => resource.uri === uri)) return server.name;
    } catch {
      // A server without resources (or one that just failed) offers none.
    }
  }
  return undefined;
}

/**
 * The text of resource `uri` of `server` (its text contents joined). Throws when the server is not connected or
 * fails to serve it.
 */
export async function readServerResource(runtime: Pick<Runtime, 'host'>, server: string, uri: string): Promise<string> {
  const connection = runtime.host.connection(server);
  if (!connection) throw new Error(`${server} is not connected`);
  const result = await connection.readResource(uri);
  return result.contents.map((content) => ('text' in content ? content.text : '')).join('');
}
