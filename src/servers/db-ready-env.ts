/**
 * @module The variable by which the host tells the built-in servers it spawns that their data is prepared. Its own
 * file so that the settings (config/load.ts), which put it in the servers' environment, load no database code.
 */

/**
 * Set to `1` by the host in the environment of the built-in servers it spawns: it has already migrated and
 * seeded every built-in server's tables in `DECKHAND_DB` (or `DATABASE_URL`), so they skip that work.
 */
export const DB_READY_ENV = 'DECKHAND_DB_READY';
