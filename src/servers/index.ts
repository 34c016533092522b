export { createCrmServer } from './crm/server.js';
export { createEmailServer } from './email/server.js';
export { NOT_DELIVERED_NOTE } from './email/outbox.js';
export { BUILTIN_SERVERS } from './registry.js';
export { isBuiltinServerName, serveBuiltinStdio } from './serve-stdio.js';
