/**
 * @module The job a queued run is. Its schema is a contract (`contracts/run-job.ts`): app/'s RunManager enqueues
 * and executes jobs without importing the queue.
 */
export { type RunJob, RunJobOverridesSchema, RunJobSchema, RunJobSettingsSchema, safeParseRunJob } from '../contracts/run-job.js';
