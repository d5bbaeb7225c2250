import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { applyPlans } from '../graph/apply-plan.js';
import { countCost } from '../metrics/flops.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import type { Backend } from '../backend/backend-types.js';
import { trainedImages, type AugmentFn, type TrainEvent } from '../train/types.js';
import { featuresToTensor, type Features } from './capture.js';
import type { InferenceRunner } from './inference-runner.js';
import type { SimilarityMetric } from './criterion-types.js';
import type { PruneCandidate } from './pruner-types.js';
import type { CandidateRecord } from './run-report.js';

/** What scoring a candidate needs. */
export interface CandidateScoring {
  readonly parentFeatures: Features;
  readonly layer: string;
  readonly samples: ImageDataset;
  readonly metric: SimilarityMetric;
  readonly train: ImageDataset;
  /** Fine-tune of each candidate before scoring; null to skip. */
  readonly finetune: TrainerFactory | null;
  /** The unpruned model, for fine-tunes that distil from it (`distill.teacher: base`); the parent is always offered. */
  readonly base?: tfl.LayersModel;
  readonly augment?: AugmentFn;
  /** The run's compute backend, handed to the fine-tune. */
  readonly backend?: Backend;
  readonly seed: number;
  readonly onTrainEvent?: (e: TrainEvent) => void;
  readonly signal?: AbortSignal;
  /** Where the candidate's features are captured. */
  readonly runner: InferenceRunner;
}

/** Similarity of two feature sets with a metric (streamed when the metric supports it). */
export function similarityOf(metric: SimilarityMetric, a: Features, b: Features): number {
  const x = featuresToTensor(a);
  const y = featuresToTensor(b);
  try {
    return metric.similarity(x, y);
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * Build a candidate from the parent, fine-tune it if configured, and score its similarity to the parent.
 * Returns the candidate model (the caller owns it) and its record.
 */
export async function evaluateCandidate(
  parent: tfl.LayersModel,
  candidate: PruneCandidate,
  scoring: CandidateScoring,
): Promise<{ model: tfl.LayersModel; record: CandidateRecord }> {
  const started = Date.now();
  const model = await applyPlans(parent, candidate.plans);
  try {
    let images = 0;
    if (scoring.finetune) {
      const fit = await scoring
        .finetune({ seed: scoring.seed, augment: scoring.augment, backend: scoring.backend, teachers: { base: scoring.base, parent } })
        .fit(model, scoring.train, { onEvent: scoring.onTrainEvent, signal: scoring.signal });
      images = trainedImages(fit);
    }
    const features = await scoring.runner.capture(model, scoring.layer, scoring.samples);
    const similarity = similarityOf(scoring.metric, scoring.parentFeatures, features);
    const cost = countCost(model);
    return {
      model,
      record: {
        kind: candidate.kind,
        pruner: candidate.pruner,
        summary: candidate.summary,
        plans: candidate.plans,
        removedUnits: candidate.removedUnits,
        similarity,
        flops: cost.flops,
        params: cost.params,
        seconds: (Date.now() - started) / 1000,
        trainedImages: images,
      },
    };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * Index of the winner: highest similarity; exact ties go to the kind listed first in `ties` (kinds not listed come
 * after), then to the candidate listed first.
 * @example
 * chooseCandidate([{ kind: 'layer', similarity: 0.9 }, { kind: 'filter', similarity: 0.9 }], ['filter', 'layer']) // 1
 */
export function chooseCandidate(records: readonly Pick<CandidateRecord, 'kind' | 'similarity'>[], ties: readonly string[]): number {
  const rank = (kind: string) => (ties.includes(kind) ? ties.indexOf(kind) : ties.length);
  let best = -1;
  for (let i = 0; i < records.length; i++) {
    const s = records[i].similarity;
    if (Number.isNaN(s)) continue;
    if (best < 0 || s > records[best].similarity) best = i;
    else if (s === records[best].similarity && rank(records[i].kind) < rank(records[best].kind)) best = i;
  }
  return Math.max(best, 0);
}
