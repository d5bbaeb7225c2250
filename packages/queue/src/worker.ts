import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { redisOptions } from './connection.js';
import type { QueueSettings } from './jobs.js';
import { versionDifferences, type Versions } from './versions.js';

/** A job that failed for a reason of its own (bad pipeline, NaN loss): reported once, never retried. */
export class JobFailure extends Error {
  override readonly name = 'JobFailure';
}

/** What every job carries: the coordinator's omniprune package versions. */
export interface VersionedJob {
  readonly versions: Versions;
}

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions<D, R> {
  /** Jobs run at once. Default 1. */
  readonly concurrency?: number;
  /** This installation's omniprune package versions; jobs from other versions are refused. */
  readonly versions: Versions;
  /**
   * How long a job's lock lasts without renewal, ms: a worker killed mid-job loses its job to another worker
   * after about this long (BullMQ's stalled-job check runs at the same interval). Default 30000.
   */
  readonly lockDurationMs?: number;
  /** Run one job; throw {@link JobFailure} for the job's own failures (no retry), anything else to retry. */
  run(data: D, job: Job<D, R>): Promise<Omit<R, 'worker'>>;
  /** How the job is named in log lines. */
  describe(data: D): string;
  log?(line: string): void;
}

/** This worker's name on the queue: `host:pid`. */
export const workerName = (): string => `${hostname()}:${process.pid}`;

/**
 * Take jobs from the study's queue `name` and run them until `close()`; every result gets `worker: host:pid`. A job
 * whose versions differ from this worker's is failed (not retried) with both version lists in its error.
 * @example
 * const worker = startQueueWorker(CELL_QUEUE, settings, { versions, describe: (d) => d.cellId, run: (d) => runCell(d) });
 */
export function startQueueWorker<D extends VersionedJob, R extends { worker: string }>(
  queueName: string,
  settings: QueueSettings,
  options: QueueWorkerOptions<D, R>,
): Worker<D, R> {
  const name = workerName();
  const lockDuration = options.lockDurationMs ?? 30_000;
  return new Worker<D, R>(
    queueName,
    async (job) => {
      const what = options.describe(job.data);
      const diff = versionDifferences(options.versions, job.data.versions);
      if (diff.length > 0) {
        throw new UnrecoverableError(
          `worker ${name} refused ${what}: its omniprune packages differ from the coordinator's (worker/coordinator: ${diff.join(', ')}); install the same version on every machine`,
        );
      }
      options.log?.(`${what}: started, attempt ${job.attemptsMade + 1}`);
      const start = Date.now();
      try {
        const result = { ...(await options.run(job.data, job)), worker: name } as R;
        options.log?.(`${what}: done in ${((Date.now() - start) / 1000).toFixed(0)} s`);
        return result;
      } catch (err) {
        options.log?.(`${what}: failed: ${(err as Error).message.split('\n')[0]}`);
        if (err instanceof JobFailure) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: redisOptions(settings.target),
      prefix: settings.prefix,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 3,
      name,
    },
  );
}
