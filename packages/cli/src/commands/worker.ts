import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { Redis } from 'ioredis';
import { OmnipruneError } from '@omniprune/core';
import {
  CANDIDATE_QUEUE,
  CELL_QUEUE,
  claimStudyAt,
  parseRedisUrl,
  queueUrl,
  redact,
  redisOptions,
  startQueueWorker,
  studyPrefix,
  type CandidateJobData,
  type CandidateJobResult,
  type CellJobData,
  type CellJobResult,
} from '@omniprune/queue';
import { candidateJobs } from '../queue/candidate-job.js';
import { runCellHere } from '../queue/cell-job.js';
import { parsePositiveInt } from '../shared/common-args.js';
import { omnipruneVersions } from '../shared/versions.js';

/** `omniprune worker`: take bench cells and run candidates from a Redis queue and run them on this machine. */
export default defineCommand({
  meta: {
    name: 'worker',
    description:
      'Take jobs from a job queue (BullMQ on Redis) and run them here until stopped (Ctrl-C): bench cells (bench --queue) and the candidates of distributed runs (run --queue). Start it in the project folder: relative model and data paths are resolved there',
  },
  args: {
    queue: { type: 'string', description: 'redis://[user[:password]@]host[:port][/db] or rediss:// (TLS); default $REDIS_URL' },
    prefix: { type: 'string', default: 'omniprune', description: "The study's queue key prefix (as given to bench/run --prefix)" },
    concurrency: { type: 'string', default: '1', description: 'Bench cells run at once on this machine (run candidates: one at a time per worker)' },
    threads: { type: 'string', description: 'Threads per cell (default: cores / concurrency)' },
    'work-dir': { type: 'string', description: 'Where cells run (default: $TMPDIR/omniprune-worker/PREFIX); an interrupted cell resumes there' },
    root: { type: 'string', description: 'Project folder relative paths of the pipelines are resolved in (default: the working directory)' },
    'lock-seconds': {
      type: 'string',
      default: '30',
      description: "How long a job's lock lasts unrenewed: a worker lost mid-job gives its job back after about this long",
    },
  },
  async run({ args }) {
    const url = queueUrl(args.queue);
    if (!url) {
      throw new OmnipruneError('E_BAD_INPUT', 'no queue: give --queue redis://HOST:PORT or set REDIS_URL', {
        hint: 'e.g. omniprune worker --queue redis://localhost:6379',
      });
    }
    const prefix = studyPrefix(args.prefix ?? 'omniprune');
    const target = parseRedisUrl(url);
    const concurrency = parsePositiveInt('concurrency', args.concurrency, 1);
    const threads = parsePositiveInt('threads', args.threads, Math.max(1, Math.floor(availableParallelism() / concurrency)));
    const lockDurationMs = parsePositiveInt('lock-seconds', args['lock-seconds'], 30) * 1000;
    const root = resolve(args.root ?? process.cwd());
    const workDir = resolve(args['work-dir'] ?? join(tmpdir(), 'omniprune-worker', prefix));
    const versions = omnipruneVersions();
    await claimStudyAt(target, prefix, versions, 'worker');
    // the candidates of run --queue are scored in this process, with the same thread budget as a cell
    process.env.OMNIPRUNE_WASM_THREADS ??= String(threads);
    const stop = new AbortController();
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const settings = { target, prefix };
    const blobs = new Redis(redisOptions(target));
    const cells = startQueueWorker<CellJobData, CellJobResult>(CELL_QUEUE, settings, {
      concurrency,
      versions,
      lockDurationMs,
      log,
      describe: (d) => `cell ${d.cellId} (${d.bench})`,
      run: (data, job) => runCellHere(data, job.id!, { root, workDir, threads, abort: stop.signal }),
    });
    const candidates = startQueueWorker<CandidateJobData, CandidateJobResult>(CANDIDATE_QUEUE, settings, {
      concurrency: 1,
      versions,
      lockDurationMs,
      log,
      describe: (d) => `iteration ${d.task.iteration} candidate ${d.task.index} (${d.task.candidate.kind})`,
      run: candidateJobs({ root, workDir, blobs, prefix, log }),
    });
    for (const w of [cells, candidates]) w.on('error', (err) => log(`queue error: ${err.message.split('\n')[0]}`));
    log(
      `worker on ${redact(url)} (prefix ${prefix}): ${concurrency} cell${concurrency === 1 ? '' : 's'} at once x ${threads} thread${threads === 1 ? '' : 's'}, runs in ${workDir}`,
    );
    await new Promise<void>((resolvePromise) => {
      const shutdown = (signal: NodeJS.Signals) => {
        log(`${signal}: stopping; running jobs go back to the queue`);
        stop.abort();
        resolvePromise();
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
    await Promise.all([cells.close(true), candidates.close(true)]);
    blobs.disconnect();
  },
});
