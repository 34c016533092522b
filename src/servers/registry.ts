import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { BuiltinServerName } from '../config/schema.js';
import { createCrmServer } from './crm/server.js';
import type { BuiltinDatabase } from './database.js';
import { createDevopsServer } from './devops/server.js';
import { createEmailServer } from './email/server.js';
import { type SmtpSettings, smtpSettingsFromEnv } from './email/smtp.js';
import { createIssuesServer } from './issues/server.js';
import { createNotesServer } from './notes/server.js';
import { createOrdersServer } from './orders/server.js';

/** Settings of the built-in servers that come from the environment, read once at start (`builtinServerOptionsFromEnv`). */
export interface BuiltinServerOptions {
  /** The email server's SMTP delivery; without it emails stay queued in the outbox. */
  readonly smtp?: SmtpSettings | undefined;
  /** The devops server's environment: its config (`DECKHAND_DEVOPS_CONFIG`), provider keys and the variables it checks. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** A built-in server factory; `options` is optional, so `(db, version)` callers keep working. */
export type BuiltinServerFactory = (db: Kysely<BuiltinDatabase>, version: string, options?: BuiltinServerOptions) => McpServer;

/** Factories of the built-in operations servers, by name. */
export const BUILTIN_SERVERS: Readonly<Record<BuiltinServerName, BuiltinServerFactory>> = {
  crm: createCrmServer,
  orders: createOrdersServer,
  notes: createNotesServer,
  email: createEmailServer,
  issues: createIssuesServer,
  devops: (db, version, options) => createDevopsServer(db, version, { env: options?.env ?? {} }),
};

/**
 * Reads what built-in server `name` needs from `env` (`SMTP_URL`, `SMTP_FROM` for `email`; the whole environment for `devops`, which reads its config from it). Call it once
 * at start, before opening the store, and pass the result to the factory.
 *
 * @throws UsageError with a one-line message when a value is malformed.
 */
export function builtinServerOptionsFromEnv(
  name: BuiltinServerName,
  env: Readonly<Record<string, string | undefined>>,
): BuiltinServerOptions {
  if (name === 'email') return { smtp: smtpSettingsFromEnv(env) };
  if (name === 'devops') return { env };
  return {};
}
