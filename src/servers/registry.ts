import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { BuiltinServerName } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { createCrmServer } from './crm/server.js';
import { createEmailServer } from './email/server.js';
import { createIssuesServer } from './issues/server.js';
import { createNotesServer } from './notes/server.js';
import { createOrdersServer } from './orders/server.js';

/** Factories of the built-in operations servers, by name. */
export const BUILTIN_SERVERS: Readonly<Record<BuiltinServerName, (db: Kysely<Database>, version: string) => McpServer>> = {
  crm: createCrmServer,
  orders: createOrdersServer,
  notes: createNotesServer,
  email: createEmailServer,
  issues: createIssuesServer,
};
