/**
 * @module What every built-in server offers besides its tools: logging, read-only resources over the store and a
 * prompt. Kept here, applied by the serving entries (`serve-stdio.ts`, `serve-http.ts`), so the per-server folders
 * stay about tools.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { BuiltinServerName } from '../config/schema.js';
import type { BuiltinDatabase } from './database.js';
import { registerCrmResources } from './crm/resources.js';
import { registerEmailResources } from './email/resources.js';
import { registerIssuesResources } from './issues/resources.js';
import { registerNotesResources } from './notes/resources.js';
import { registerOrdersResources } from './orders/resources.js';

/** Registers one server's resources and prompts on `server`; reads only. */
export type ResourceRegistrar = (server: McpServer, db: Kysely<BuiltinDatabase>) => void;

const REGISTRARS: Readonly<Record<BuiltinServerName, ResourceRegistrar>> = {
  crm: registerCrmResources,
  orders: registerOrdersResources,
  notes: registerNotesResources,
  email: registerEmailResources,
  issues: registerIssuesResources,
  // The devops server registers its own resources and prompts (they need its runtime, not only the store).
  devops: () => {},
};

/**
 * Declares the `logging` capability and registers the resources and prompt of built-in server `name` on `server`.
 * Call it before `connect` (capabilities are fixed once connected; the SDK throws otherwise). Returns `server`.
 */
export function registerServerExtras(server: McpServer, name: BuiltinServerName, db: Kysely<BuiltinDatabase>): McpServer {
  server.server.registerCapabilities({ logging: {} });
  REGISTRARS[name](server, db);
  return server;
}
