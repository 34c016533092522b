/**
 * @module The OAuth credentials of remote MCP servers (`deckhand mcp login <server>`): the client registration and
 * the tokens, one row per server, sealed with AES-256-GCM (see `shared/secret-box.ts`) so the store file alone
 * gives nobody a usable token.
 */
import type { Kysely } from 'kysely';
import { type OAuthCredentials, type StoredCredentials, StoredCredentialsSchema } from '../contracts/index.js';
import { open, seal, type SecretKey } from '../shared/secret-box.js';
import type { Database } from './schema.js';

/** Reads and writes the sealed credentials of remote servers (what the MCP host is handed as {@link OAuthCredentials}). */
export class OAuthCredentialStore implements OAuthCredentials {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly key: SecretKey,
  ) {}

  /**
   * The credentials kept for `server`, or undefined when there are none, they were obtained for another URL, or they
   * cannot be opened (another key, an edited row): each of those means logging in again.
   */
  async load(server: string, serverUrl: string): Promise<StoredCredentials | undefined> {
    const row = await this.db.selectFrom('oauth_credentials').select('sealed').where('server', '=', server).executeTakeFirst();
    if (!row) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(open(this.key, row.sealed));
    } catch {
      return undefined;
    }
    const result = StoredCredentialsSchema.safeParse(parsed);
    return result.success && result.data.serverUrl === serverUrl ? result.data : undefined;
  }

  /** Replaces what is kept for `server`. */
  async save(server: string, credentials: StoredCredentials): Promise<void> {
    const sealed = seal(this.key, JSON.stringify(StoredCredentialsSchema.parse(credentials)));
    const updatedAt = new Date().toISOString();
    await this.db
      .insertInto('oauth_credentials')
      .values({ server, server_url: credentials.serverUrl, sealed, updated_at: updatedAt })
      .onConflict((conflict) => conflict.column('server').doUpdateSet({ server_url: credentials.serverUrl, sealed, updated_at: updatedAt }))
      .execute();
  }

  /** Forgets `server`'s credentials (`deckhand mcp logout`). Returns whether there were any. */
  async remove(server: string): Promise<boolean> {
    const result = await this.db.deleteFrom('oauth_credentials').where('server', '=', server).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The servers that have credentials, for `deckhand mcp list`. */
  async servers(): Promise<string[]> {
    const rows = await this.db.selectFrom('oauth_credentials').select('server').orderBy('server').execute();
    return rows.map((row) => row.server);
  }
}
