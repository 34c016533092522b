import { loadSettings } from '../config/load.js';
import { type OpenStoreOptions, openStore, type Store } from '../store/database.js';

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
