export { createCrmServer } from './crm/server.js';
export { createEmailServer } from './email/server.js';
export { NOT_DELIVERED_NOTE } from './email/outbox.js';
export { createIssuesServer } from './issues/server.js';
export { createNotesServer } from './notes/server.js';
export { createOrdersServer } from './orders/server.js';
export { BUILTIN_SERVERS, type BuiltinServerFactory, type BuiltinServerOptions, builtinServerOptionsFromEnv } from './registry.js';
export {
  type BuiltinHttpServer,
  DEFAULT_MCP_HTTP_HOST,
  DEFAULT_MCP_HTTP_PORT,
  MCP_HTTP_PATH,
  type ServeBuiltinHttpOptions,
  serveBuiltinHttp,
} from './serve-http.js';
export { isBuiltinServerName, serveBuiltinStdio } from './serve-stdio.js';
