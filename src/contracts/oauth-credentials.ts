/**
 * @module The OAuth credentials of a remote MCP server as they are kept between runs (`deckhand mcp login`), and
 * the interface the MCP layer reads and refreshes them through. The store implements it (sealed rows); app/ wires
 * the one into the other, so mcp/ never opens the store.
 */
import { z } from 'zod';

/** What is kept for one server (`schemaVersion` 1). */
export const StoredCredentialsSchema = z.object({
  schemaVersion: z.literal(1),
  /** The server URL the credentials were obtained for: a server whose URL changed must log in again. */
  serverUrl: z.string(),
  /** The client registration (dynamic or pre-registered), as the SDK stores it. */
  clientInformation: z.looseObject({ client_id: z.string() }).optional(),
  /** The tokens, as the SDK stores them. */
  tokens: z.looseObject({ access_token: z.string(), token_type: z.string(), refresh_token: z.string().optional() }).optional(),
});
export type StoredCredentials = z.infer<typeof StoredCredentialsSchema>;

/** Where the credentials of remote servers are kept. */
export interface OAuthCredentials {
  /** The credentials kept for `server` when they were obtained for `serverUrl`; undefined means logging in again. */
  load(server: string, serverUrl: string): Promise<StoredCredentials | undefined>;
  /** Replaces what is kept for `server`. */
  save(server: string, credentials: StoredCredentials): Promise<void>;
}
