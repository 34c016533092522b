/**
 * @module OAuth 2.1 for remote MCP servers: an `OAuthClientProvider` for the SDK's HTTP transports that
 * keeps credentials in memory and leaves the one interactive step (the user approving access) to the caller.
 */
import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';

/**
 * Completes one authorization request: sends the user agent to `authorizationUrl` and resolves with the query
 * parameters of the redirect back to the provider's `redirectUrl` (they carry `code`, and `iss` when the
 * authorization server sets it).
 */
export type AuthorizeFunction = (authorizationUrl: URL) => Promise<URLSearchParams>;

export interface OAuthProviderOptions {
  /** Where the authorization server sends the user agent back to. */
  readonly redirectUrl: string;
  readonly authorize: AuthorizeFunction;
  /** Default `'deckhand'`. */
  readonly clientName?: string;
  /** An HTTPS URL of this client's metadata document, used as its `client_id` where the server supports it (SEP-991). */
  readonly clientMetadataUrl?: string;
  /** Credentials registered out of band; without them the client registers itself (RFC 7591) when it must. */
  readonly clientInformation?: { readonly client_id: string; readonly client_secret?: string };
  /** Scope to ask for when neither the server's challenge nor its metadata names one. */
  readonly scope?: string;
  /** The OAuth `state` of each authorization request; without it, requests carry none. */
  readonly state?: () => string;
  /** A registration and tokens kept from an earlier login (`deckhand mcp login`), to start from. */
  readonly saved?: {
    readonly clientInformation?: StoredOAuthClientInformation | undefined;
    readonly tokens?: StoredOAuthTokens | undefined;
  };
  /** Called after the SDK saved a registration or tokens (a login, a refresh), with both as they are now. */
  readonly onSave?: (saved: { clientInformation?: StoredOAuthClientInformation; tokens?: StoredOAuthTokens }) => void | Promise<void>;
}

/**
 * An OAuth client for one MCP server, holding its registration, tokens, PKCE verifier and discovery state in
 * memory. When the SDK starts an authorization it calls {@link OAuthProvider.redirectToAuthorization}, which hands
 * the URL to `options.authorize`; the transport then fails the request with `UnauthorizedError`, and the connection
 * redeems the response from {@link OAuthProvider.takeAuthorizationResponse} with `transport.finishAuth` and retries.
 */
export class OAuthProvider implements OAuthClientProvider {
  readonly clientMetadataUrl: string | undefined;
  private client: StoredOAuthClientInformation | undefined;
  private storedTokens: StoredOAuthTokens | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  private pendingAuthorization: Promise<URLSearchParams> | undefined;

  constructor(private readonly options: OAuthProviderOptions) {
    this.clientMetadataUrl = options.clientMetadataUrl;
    this.client = options.clientInformation ? { ...options.clientInformation } : options.saved?.clientInformation;
    this.storedTokens = options.saved?.tokens;
    if (options.state) this.state = options.state;
  }

  /** The `state` of the next authorization request, when the options give one. */
  state?: () => string;

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.options.clientName ?? 'deckhand',
      redirect_uris: [this.options.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: this.options.clientInformation?.client_secret ? 'client_secret_basic' : 'none',
      ...(this.options.scope ? { scope: this.options.scope } : {}),
    };
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.client;
  }

  async saveClientInformation(clientInformation: StoredOAuthClientInformation): Promise<void> {
    this.client = clientInformation;
    await this.notifySaved();
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.storedTokens;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    this.storedTokens = tokens;
    await this.notifySaved();
  }

  private async notifySaved(): Promise<void> {
    await this.options.onSave?.({
      ...(this.client ? { clientInformation: this.client } : {}),
      ...(this.storedTokens ? { tokens: this.storedTokens } : {}),
    });
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('No PKCE code verifier saved: no authorization was started for this server.');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.storedTokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    // Pre-registered credentials are configuration, not state: only forget ones the server issued.
    if ((scope === 'all' || scope === 'client') && !this.options.clientInformation) this.client = undefined;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    const pending = this.options.authorize(authorizationUrl);
    // Observed here so a rejection is never unhandled; whoever takes the response sees it again.
    pending.catch(() => {});
    this.pendingAuthorization = pending;
  }

  /**
   * The callback parameters of the authorization the SDK started last, once; `undefined` when none is pending.
   * Rejects when `options.authorize` failed.
   */
  takeAuthorizationResponse(): Promise<URLSearchParams> | undefined {
    const pending = this.pendingAuthorization;
    this.pendingAuthorization = undefined;
    return pending;
  }
}

/**
 * An {@link AuthorizeFunction} for authorization servers that approve without a person (test and conformance
 * servers, pre-consented machine clients): GETs the authorization URL without following the redirect and reads the
 * callback parameters from its `Location`. Throws when the server answers with anything but a redirect carrying
 * `code` or `error`.
 */
export function followAuthorizationRedirect(fetchFn: typeof fetch = fetch): AuthorizeFunction {
  return async (authorizationUrl) => {
    const response = await fetchFn(authorizationUrl, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    const parameters = location ? new URL(location, authorizationUrl).searchParams : undefined;
    if (!parameters || (!parameters.has('code') && !parameters.has('error'))) {
      throw new Error(
        `The authorization server answered ${response.status} without redirecting back with a code; ` +
          'it needs a person to approve access, so use an interactive authorize function.',
      );
    }
    return parameters;
  };
}
