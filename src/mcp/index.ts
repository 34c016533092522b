export { ServerCallError } from './call-errors.js';
export { ServerConnection } from './connection.js';
export {
  type CallToolOptions,
  type ConnectionOptions,
  type ConnectionState,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type ElicitationHandler,
  type RequestOptions,
  type SamplingHandler,
  type ServerTool,
} from './connection-types.js';
export { type HostCallOptions, McpHost, type McpHostOptions, type ServerStatus, toOutcome, type ToolProgress } from './host.js';
export {
  type AuthorizeFunction,
  followAuthorizationRedirect,
  OAuthProvider,
  type OAuthProviderOptions,
} from './oauth.js';
export { toDisplayToolName, toModelToolName } from '../shared/tool-names.js';
