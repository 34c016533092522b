export { type OpenStoreOptions, openStore, type Store } from './database.js';
export { LATEST_MIGRATION, migrateToLatest } from './migrations.js';
export { RunRecorder } from './run-recorder.js';
export type { CustomerTable, Database, EmailStatus, EmailTable, OrderStatus, OrderTable } from './schema.js';
export { resetDemoData, seedDemoData } from './seed.js';
