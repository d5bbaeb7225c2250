import { createHash } from 'node:crypto';
import { Job, Queue, type QueueOptions } from 'bullmq';
import { redisOptions } from './connection.js';
import type { RedisTarget } from './redis-url.js';

/** Where a study's queues live. */
export interface QueueSettings {
  readonly target: RedisTarget;
  /** Key prefix of the study: two studies with different prefixes never share jobs or workers. */
  readonly prefix: string;
}

/** A BullMQ queue `name` of the study. */
export function openQueue<D, R>(name: string, settings: QueueSettings): Queue<D, R> {
  const options: QueueOptions = { connection: redisOptions(settings.target), prefix: settings.prefix };
  return new Queue<D, R>(name, options);
}

/** JSON with object keys sorted, so equal content hashes equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A job id from the job's content: `KIND-` + 24 hex digits of SHA-256 over its canonical JSON (key order does not
 * matter), so enqueueing the same work again finds the job already there and changed work is a new job.
 * @example
 * contentId('cell', data) // 'cell-3f2a...'
 */
export function contentId(kind: string, data: unknown): string {
  return `${kind}-${createHash('sha256').update(canonical(data)).digest('hex').slice(0, 24)}`;
}

/** A job to enqueue: its id (see {@link contentId}), a name for dashboards and its data. */
export interface JobSpec<D> {
  readonly id: string;
  readonly name: string;
  readonly data: D;
}

/** Retry policy of jobs: a worker lost mid-job is retried, a job's own failure is not. */
export interface RetryPolicy {
  /** Attempts per job (a lost worker, a crash of the run process). Default 3. */
  readonly attempts?: number;
  /** First backoff delay, ms, doubled per attempt. Default 5000. */
  readonly backoffMs?: number;
}

/** One job's end, as the coordinator sees it. */
export type JobOutcome<R> =
  | { readonly status: 'done'; readonly jobId: string; readonly result: R }
  | { readonly status: 'failed'; readonly jobId: string; readonly error: string };

/** Where the jobs of a study are, for a progress line. */
export interface QueueProgress {
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly waiting: number;
  /** Running jobs per worker (`host:pid`). */
  readonly perWorker: Readonly<Record<string, number>>;
}

/**
 * Enqueue every job once (an id already in the queue, waiting, running or ended, is not added twice) and put jobs that
 * failed in an earlier invocation back in line, as a local bench reruns failed cells. Returns the ids in order.
 * @example
 * const ids = await enqueueJobs(queue, cells.map((data) => ({ id: contentId('cell', data), name: data.cellId, data })));
 */
export async function enqueueJobs<D, R>(queue: Queue<D, R>, jobs: readonly JobSpec<D>[], policy: RetryPolicy = {}): Promise<string[]> {
  const ids = jobs.map((j) => j.id);
  // jobs that failed in an earlier invocation go back in line (checked before adding: a job failing right now stays failed)
  for (const id of ids) {
    if ((await queue.getJobState(id)) === 'failed') await (await Job.fromId<D, R>(queue, id))?.retry('failed');
  }
  // biome-ignore lint/suspicious/noExplicitAny: BullMQ's addBulk types the job name through its generics
  await (queue as Queue<any, any, string>).addBulk(
    jobs.map((j) => ({
      name: j.name,
      data: j.data,
      opts: {
        jobId: j.id,
        attempts: policy.attempts ?? 3,
        backoff: { type: 'exponential', delay: policy.backoffMs ?? 5000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
    })),
  );
  return ids;
}

/**
 * Wait until every job of `ids` has ended, calling `onDone` once per job as it ends (done or failed for good: a job
 * between attempts is still pending) and `onProgress` after every poll. Jobs that ended before this call (a restarted
 * coordinator) are reported in the first poll.
 * @example
 * await watchJobs(queue, ids, { onDone: (i, outcome) => save(i, outcome) });
 */
export async function watchJobs<D, R>(
  queue: Queue<D, R>,
  ids: readonly string[],
  options: {
    onDone(index: number, outcome: JobOutcome<R>): void | Promise<void>;
    onProgress?(progress: QueueProgress): void;
    pollMs?: number;
    signal?: AbortSignal;
  },
): Promise<JobOutcome<R>[]> {
  const outcomes: (JobOutcome<R> | undefined)[] = ids.map(() => undefined);
  for (;;) {
    options.signal?.throwIfAborted();
    let running = 0;
    let waiting = 0;
    const perWorker: Record<string, number> = {};
    for (const [i, id] of ids.entries()) {
      if (outcomes[i]) continue;
      // state first, then the job: a job read before it ended would lack its result
      const state = await queue.getJobState(id);
      const job = state === 'unknown' ? undefined : await Job.fromId<D, R>(queue, id);
      let outcome: JobOutcome<R> | undefined;
      if (state === 'completed') outcome = { status: 'done', jobId: id, result: job!.returnvalue };
      else if (state === 'failed') outcome = { status: 'failed', jobId: id, error: job!.failedReason || 'failed without a reason' };
      else if (state === 'unknown' || !job) outcome = { status: 'failed', jobId: id, error: 'the job is no longer in the queue (removed by someone else?)' };
      if (outcome) {
        outcomes[i] = outcome;
        await options.onDone(i, outcome);
      } else if (state === 'active') {
        running++;
        const who = job?.processedBy ?? 'unknown';
        perWorker[who] = (perWorker[who] ?? 0) + 1;
      } else {
        waiting++;
      }
    }
    const ended = outcomes.filter((o) => o !== undefined) as JobOutcome<R>[];
    options.onProgress?.({
      done: ended.filter((o) => o.status === 'done').length,
      failed: ended.filter((o) => o.status === 'failed').length,
      running,
      waiting,
      perWorker,
    });
    if (ended.length === ids.length) return outcomes as JobOutcome<R>[];
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
}
