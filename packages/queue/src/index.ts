/** @omniprune/queue: bench cells and a run's candidates on a BullMQ job queue in Redis, run by `omniprune worker` processes on any machine. */
export { parseRedisUrl, queueUrl, redact } from './redis-url.js';
export type { RedisTarget } from './redis-url.js';
export { checkRedis, openRedis, redisOptions } from './connection.js';
export { contentId, enqueueJobs, openQueue, watchJobs } from './jobs.js';
export type { JobOutcome, JobSpec, QueueProgress, QueueSettings, RetryPolicy } from './jobs.js';
export { CELL_QUEUE, studyPrefix } from './cell-queue.js';
export type { CellJobData, CellJobResult } from './cell-queue.js';
export { CANDIDATE_QUEUE } from './candidate-queue.js';
export type { CandidateJobData, CandidateJobResult } from './candidate-queue.js';
export { getBlob, putBlob } from './blobs.js';
export { JobFailure, startQueueWorker, workerName } from './worker.js';
export type { QueueWorkerOptions, VersionedJob } from './worker.js';
export { claimStudy, claimStudyAt, metaKey, versionDifferences } from './versions.js';
export type { MetaClient, Versions } from './versions.js';
