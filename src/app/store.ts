/**
 * @module The host store as the front ends reach it: opened from the settings for one piece of work and closed
 * after, checked by `deckhand doctor`, and its audit log listed and verified. Front ends never import `store/` themselves.
 */
import { loadSettings } from '../config/load.js';
import { type AuditRecord, type AuditVerification, listAudit, verifyAudit } from '../store/audit-log.js';
import { type OpenStoreOptions, openStore, seedDemoData, type Store, storeAnswers } from '../store/database.js';
import { LATEST_MIGRATION } from '../store/migrations.js';

export type { AuditRecord, Store };
/** `deckhand seed` (`seedDemoData`) and the readiness probe of `GET /ready` (`storeAnswers`). */
export { seedDemoData, storeAnswers };

/**
 * Opens the store the settings point at (SQLite in the data dir, or PostgreSQL with `DATABASE_URL`) for the
 * commands that need only the store, runs `work`, and closes it.
 */
export async function withSettingsStore<T>(work: (store: Store) => Promise<T>, options: Pick<OpenStoreOptions, 'seed'> = {}): Promise<T> {
  const settings = loadSettings({});
  const store = await openStore({ file: settings.dbFile, ...options, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Opens (migrating it when needed) and closes the store the settings point at: PostgreSQL when `databaseUrl` is
 * set (no SQLite file is touched then), else the SQLite file. Returns where it is (never a password) and its schema.
 */
export async function checkStore(target: { dbFile: string; databaseUrl?: string | undefined }): Promise<{ location: string; schema: string }> {
  const store = await openStore({ file: target.dbFile, ...(target.databaseUrl ? { databaseUrl: target.databaseUrl } : {}) });
  const location = store.location;
  await store.close();
  return { location, schema: LATEST_MIGRATION };
}

/** Walks the hash chain of the audit log. */
export function verifyAuditLog(store: Store): Promise<AuditVerification> {
  return verifyAudit(store.db);
}

/** The audit log, oldest first, each entry's details parsed. */
export function auditLog(store: Store): Promise<AuditRecord[]> {
  return listAudit(store.db);
}
