/**
 * @module The one process that serves several built-in servers: what the host spawns for them, and which server
 * configs belong to it. Each member is still a server of its own (its own MCP connection, on a socket of its own);
 * only the Node process, the SDK and the store connection are shared, so six servers start for the price of one.
 */
import type { McpServerConfig, StdioServerConfig } from './schema.js';

/** The argument of `node dist/server.js` that makes it serve the servers named after it on sockets 3 + 1… (see servers/serve-shared.ts). */
export const SHARED_PROCESS_FLAG = '--shared';

/**
 * How to start the shared process: `command args… <member names…>`, with `env` over the default environment. What
 * a member alone gets (the email server's SMTP settings, the devops section) is not in `env`: the host hands each
 * member its own config's `env` over a pipe, and the process gives it to that server only.
 */
export interface SharedServerProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** The variables every member has in common (the data dir, the store, the log level). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Marks a built-in server's config as served by a shared process. A symbol, not a key of the config file: a
 * user's server (even one with a built-in's name) can never claim it, and JSON never carries it.
 */
export const SHARED_PROCESS: unique symbol = Symbol('deckhand.sharedProcess');

/** A stdio config that a shared process may serve; run on its own (`command args`) when no host groups it. */
export type SharedMemberConfig = StdioServerConfig & { readonly [SHARED_PROCESS]?: SharedServerProcessSpec };

/** The shared process that serves `config`, when it is a built-in server's config that has one. */
export function sharedProcessOf(config: McpServerConfig): SharedServerProcessSpec | undefined {
  return (config as SharedMemberConfig)[SHARED_PROCESS];
}
