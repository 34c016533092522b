/**
 * @module Running one owner's versioned migrations (the host's, or one built-in server's) with Kysely's
 * migrator, in that owner's own bookkeeping table, so each evolves on its own in a shared database.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';

/** One owner's migrations, in order, and where their bookkeeping lives. */
export interface MigrationSet {
  /** Who owns them, for error messages: `host`, `crm`. */
  readonly owner: string;
  readonly migrations: Readonly<Record<string, Migration>>;
  /** Kysely's bookkeeping table; its lock table is this name plus `_lock`. */
  readonly table: string;
}

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Readonly<Record<string, Migration>>) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.migrations };
  }
}

/**
 * Applies the pending migrations of `set`. When its bookkeeping table already lists every migration (the
 * common case: every start after the first), that one read is all it costs.
 *
 * @throws Error naming the owner, the failing migration and its cause.
 */
export async function migrateSet<DB>(db: Kysely<DB>, set: MigrationSet): Promise<void> {
  if (await isUpToDate(db, set)) return;
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(set.migrations),
    migrationTableName: set.table,
    migrationLockTableName: `${set.table}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} (${set.owner}) failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** True when the bookkeeping table exists and names every migration of `set`. */
async function isUpToDate<DB>(db: Kysely<DB>, set: MigrationSet): Promise<boolean> {
  const names = Object.keys(set.migrations);
  // A failed statement inside a PostgreSQL transaction would abort it; this runs outside any, and a missing
  // table (a fresh database) just means "not up to date".
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(set.table)}`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return names.every((name) => applied.has(name));
  } catch {
    return false;
  }
}

/** True on PostgreSQL: the few places where SQL differs (auto-increment keys). */
export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
