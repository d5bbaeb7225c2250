import { join } from 'node:path';
import { createCandidateScorer, loadPipelineSource, modelFromBytes, modelToBytes, type CandidateScorer } from '@omniprune/core';
import { contentId, getBlob, putBlob, type CandidateJobData, type CandidateJobResult } from '@omniprune/queue';
import type { Redis } from 'ioredis';
import { startBackend } from '../shared/common-args.js';
import { builtinContainer } from '../shared/plugin-registry.js';
import { selectRunner } from '../shared/select-runner.js';

/**
 * The worker side of `run --queue`: fine-tunes and scores a run's candidates in this process, as the run's own
 * process would (the same seed, data and backend give the same record). The pipeline of a job is validated in memory
 * (relative paths resolved against `root`) with its plugins once per pipeline; the compute backend and runner start at
 * the first job, from the pipeline's settings.
 * @example
 * const score = candidateJobs({ root, workDir, blobs, prefix, log }); await score(job.data);
 */
export function candidateJobs(options: { root: string; workDir: string; blobs: Redis; prefix: string; log: (line: string) => void }) {
  const scorers = new Map<string, Promise<CandidateScorer>>();
  const scorerFor = (raw: Record<string, unknown>): Promise<CandidateScorer> => {
    const key = contentId('pipeline', raw);
    let scorer = scorers.get(key);
    if (!scorer) {
      scorer = (async () => {
        const container = builtinContainer();
        // relative paths resolve against the worker's project folder, as the run's resolve against its working directory
        const pipeline = await loadPipelineSource(raw, container, join(options.root, 'pipeline.yaml'));
        const backend = await startBackend(pipeline.backend, true);
        const runner = await selectRunner(pipeline.runner, true);
        options.log(`pipeline ${pipeline.name}: ${backend.name} backend, ${runner.name} runner`);
        return createCandidateScorer(pipeline, container, { runner, backend, log: options.log });
      })();
      scorers.set(key, scorer);
      scorer.catch(() => scorers.delete(key)); // a failed setup is tried again by the next job
    }
    return scorer;
  };
  return async (data: CandidateJobData): Promise<Omit<CandidateJobResult, 'worker'>> => {
    const scorer = await scorerFor(data.pipeline);
    const parent = await modelFromBytes(await getBlob(options.blobs, data.parentBlob));
    try {
      const { model, record } = await scorer.score(parent, data.task);
      try {
        const modelBlob = await putBlob(options.blobs, options.prefix, await modelToBytes(model));
        return { record, modelBlob };
      } finally {
        model.dispose();
      }
    } finally {
      parent.dispose();
    }
  };
}
