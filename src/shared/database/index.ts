/** @module Opening and migrating a database, shared by the host's store and the built-in servers (neither owns it). */
export { isPostgres, migrateSet, type MigrationSet } from './migrate.js';
export { NodeSqliteDatabase, openNodeSqlite } from './node-sqlite.js';
export { type OpenDatabase, openDatabase, type OpenDatabaseOptions, type PrepareStep } from './open-database.js';
export { assertWritable, postgresLocation, type StoreTarget, storeOpenError } from './open-errors.js';
