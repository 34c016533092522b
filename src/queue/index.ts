/** @module The run queue on PostgreSQL (pg-boss), the event feed (LISTEN/NOTIFY) and the worker loop. */
export { EventFeed, type EventFeedOptions, RUN_CONTROL_CHANNEL, RUN_EVENTS_CHANNEL, type RunEventNotice } from './event-feed.js';
export { followQueuedRun } from './follow-queued.js';
export { type RunJob, RunJobSchema, safeParseRunJob } from './run-job.js';
export { queueReport, type QueueReport } from './queue-report.js';
export { type EnqueueOptions, QUEUE_SCHEMA, type QueueCounts, type QueueInstance, RUN_QUEUE, type RunJobHandler, RunQueue, type RunQueueOptions } from './run-queue.js';
export { DEFAULT_WORKER_CONCURRENCY, RunWorker, type RunWorkerOptions } from './run-worker.js';
export { openScaleOut, requirePostgres, type ScaleOutParts } from './scale-out.js';
export { StoreFollower, type StoreFollowerOptions } from './store-follower.js';
