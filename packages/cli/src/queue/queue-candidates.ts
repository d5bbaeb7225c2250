import { Redis } from 'ioredis';
import { OmnipruneError, modelFromBytes, modelToBytes, type CandidateExecutor, type EvaluatedCandidate } from '@omniprune/core';
import {
  CANDIDATE_QUEUE,
  claimStudyAt,
  contentId,
  enqueueJobs,
  getBlob,
  openQueue,
  parseRedisUrl,
  putBlob,
  redisOptions,
  watchJobs,
  type CandidateJobData,
  type CandidateJobResult,
  type QueueProgress,
} from '@omniprune/queue';
import { omnipruneVersions } from '../shared/versions.js';

/** A candidate executor on the queue, with the connections it holds. */
export interface QueueCandidateExecutor extends CandidateExecutor {
  close(): Promise<void>;
}

/**
 * `run --queue`: each iteration's candidates become jobs that `omniprune worker` processes fine-tune and score (in
 * parallel when several workers wait). Models travel through Redis as content-addressed blobs (`PREFIX:blob:SHA256`,
 * one week): the parent once per iteration, each candidate's fine-tuned model back. A candidate that fails on a worker
 * fails the run (which resumes from its last finished iteration when run again).
 * @throws OmnipruneError `E_QUEUE` when Redis is unreachable or the study belongs to other versions
 * @example
 * const candidates = await queueCandidateExecutor({ url, prefix, pipeline: relativePipelinePaths(pipeline.source, cwd) }); await runPipeline(p, { container, candidates });
 */
export async function queueCandidateExecutor(options: {
  url: string;
  prefix: string;
  /** The run's pipeline as parsed YAML, paths relative to the project folder (see core's `relativePipelinePaths`). */
  pipeline: Record<string, unknown>;
  onProgress?: (p: QueueProgress) => void;
}): Promise<QueueCandidateExecutor> {
  const settings = { target: parseRedisUrl(options.url), prefix: options.prefix };
  const versions = omnipruneVersions();
  await claimStudyAt(settings.target, options.prefix, versions, 'coordinator');
  const queue = openQueue<CandidateJobData, CandidateJobResult>(CANDIDATE_QUEUE, settings);
  const blobs = new Redis(redisOptions(settings.target));
  return {
    name: `queue ${settings.target.display}`,
    async evaluate(parent, tasks) {
      const parentBlob = await putBlob(blobs, options.prefix, await modelToBytes(parent));
      const specs = tasks.map((task) => {
        const data: CandidateJobData = { pipeline: options.pipeline, task, parentBlob, versions };
        return { id: contentId('candidate', data), name: `iteration ${task.iteration} candidate ${task.index} (${task.candidate.kind})`, data };
      });
      const outcomes = await watchJobs(queue, await enqueueJobs(queue, specs), { pollMs: 250, onDone: () => {}, onProgress: options.onProgress });
      const failed = outcomes.find((o) => o.status === 'failed');
      if (failed && failed.status === 'failed') {
        throw new OmnipruneError('E_INTERNAL', `a candidate failed on the queue (${failed.jobId}): ${failed.error}`, {
          hint: 'see the worker log; run the same command again to resume from the last finished iteration',
        });
      }
      const evaluated: EvaluatedCandidate[] = [];
      try {
        for (const o of outcomes) {
          if (o.status !== 'done') continue;
          evaluated.push({ model: await modelFromBytes(await getBlob(blobs, o.result.modelBlob)), record: o.result.record });
        }
        return evaluated;
      } catch (err) {
        for (const e of evaluated) e.model.dispose();
        throw err;
      }
    },
    async close() {
      blobs.disconnect();
      await queue.close();
    },
  };
}
