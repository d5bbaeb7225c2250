import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelStats } from '../data/normalize.js';
import type { PruneCandidate } from './pruner-types.js';
import type { CandidateRecord } from './run-report.js';

/** One candidate of an iteration to build from the parent, fine-tune and score. */
export interface CandidateTask {
  readonly iteration: number;
  /** Position among the iteration's candidates. */
  readonly index: number;
  readonly candidate: PruneCandidate;
  /** Seed of the candidate's fine-tune (derived from the run's seed, the iteration and the index). */
  readonly seed: number;
  /** The normalisation of the run's data (the model's): another process loads the data with it. */
  readonly normalization: ChannelStats | null;
}

/** A built, fine-tuned and scored candidate; the receiver owns the model. */
export interface EvaluatedCandidate {
  readonly model: tfl.LayersModel;
  readonly record: CandidateRecord;
}

/**
 * Where an iteration's candidates are evaluated: here, one after another (the default), or on other processes
 * and machines (the CLI's `run --queue`). `here` evaluates one task in this process, as the local executor does.
 */
export interface CandidateExecutor {
  readonly name: string;
  evaluate(parent: tfl.LayersModel, tasks: readonly CandidateTask[], here: (task: CandidateTask) => Promise<EvaluatedCandidate>): Promise<EvaluatedCandidate[]>;
}

/** Every candidate in this process, in order; on a failure the candidates built so far are freed. */
export const localCandidates: CandidateExecutor = Object.freeze({
  name: 'local',
  async evaluate(_parent: tfl.LayersModel, tasks: readonly CandidateTask[], here: (task: CandidateTask) => Promise<EvaluatedCandidate>) {
    const done: EvaluatedCandidate[] = [];
    try {
      for (const task of tasks) done.push(await here(task));
      return done;
    } catch (err) {
      for (const d of done) d.model.dispose();
      throw err;
    }
  },
});
