import type { CandidateRecord, CandidateTask } from '@omniprune/core';
import type { Versions } from './versions.js';

/** Name of the queue a distributed run's candidates go to (inside the study's prefix). */
export const CANDIDATE_QUEUE = 'candidates';

/** One candidate of a run's iteration as a job: the pipeline, the task and where the parent model is. */
export interface CandidateJobData {
  /** The run's pipeline (validated again on the worker); relative paths are resolved in the worker's project folder. */
  readonly pipeline: Record<string, unknown>;
  readonly task: CandidateTask;
  /** Redis key of the parent model's bytes (`modelToBytes`). */
  readonly parentBlob: string;
  readonly versions: Versions;
}

/** What a worker sends back: the candidate's record and where its fine-tuned model is. */
export interface CandidateJobResult {
  readonly record: CandidateRecord;
  /** Redis key of the candidate model's bytes. */
  readonly modelBlob: string;
  readonly worker: string;
}
