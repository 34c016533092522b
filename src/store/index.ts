export { type ApprovalDecision, type ApprovalRow, ApprovalStore, type NewApproval, type ResolveResult } from './approval-store.js';
export { type AuditEntry, type AuditVerification, appendAudit, GENESIS_HASH, verifyAudit } from './audit-log.js';
export { type OpenStoreOptions, openStore, type Store } from './database.js';
export { LATEST_MIGRATION, migrateToLatest } from './migrations.js';
export { type RecorderCheckpoint, RunRecorder, type RunRecorderOptions } from './run-recorder.js';
export type { ApprovalStatus, Database, HostDatabase } from './schema.js';
export { SessionStore } from './session-store.js';
