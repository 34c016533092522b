export {
  type ConnectionState,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  ServerCallError,
  ServerConnection,
  type ServerTool,
} from './connection.js';
export { McpHost, type McpHostOptions, type ServerStatus, toOutcome } from './host.js';
export { toDisplayToolName, toModelToolName } from './tool-names.js';
