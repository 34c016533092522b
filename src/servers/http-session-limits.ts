/**
 * @module The session limits of `deckhand mcp <name> --http`, in a module of their own so that `deckhand --help`
 * can state them without loading the MCP server SDK.
 */

/** A session with no request and no open stream for this long is closed (clients often never send DELETE). */
export const DEFAULT_SESSION_IDLE_MS = 5 * 60_000;
/**
 * Sessions kept at once; a new one beyond this closes the least recently used. Each holds a server instance (about
 * 100 KB), so the cap bounds memory whatever clients do.
 */
export const DEFAULT_MAX_SESSIONS = 256;
