import type { Evaluation } from '../evaluate/evaluator-types.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import type { PrunePlan } from '../graph/prune-plan.js';
import { countCost } from '../metrics/flops.js';
import type { InferenceRunner } from './inference-runner.js';

/** Cost and quality of one model. */
export interface ModelStats {
  readonly flops: number;
  readonly params: number;
  /** Test accuracy in [0, 1]. */
  readonly accuracy: number;
  readonly loss: number;
}

/** One scored candidate of an iteration. */
export interface CandidateRecord {
  readonly kind: string;
  readonly pruner: string;
  readonly summary: string;
  readonly plans: readonly PrunePlan[];
  readonly removedUnits: number;
  /** Similarity to the parent (after the candidate fine-tune, when configured). */
  readonly similarity: number;
  readonly flops: number;
  readonly params: number;
  /** Seconds spent applying, fine-tuning and scoring it. */
  readonly seconds: number;
  /** Training images its fine-tune went through (0 without one). */
  readonly trainedImages?: number;
}

/** One finished pruning iteration. */
export interface IterationRecord {
  readonly iteration: number;
  readonly candidates: readonly CandidateRecord[];
  /** Index into `candidates` of the winner. */
  readonly chosen: number;
  readonly chosenKind: string;
  /** The winner after its fine-tune. */
  readonly stats: ModelStats;
  readonly flopsReduction: number;
  readonly paramsReduction: number;
  /** Accuracy minus the baseline's, in points of [0, 1]. */
  readonly accuracyChange: number;
  readonly seconds: number;
  /** Training images of the iteration's fine-tunes: every candidate's and the winner's. */
  readonly trainedImages?: number;
  /** Model directory, relative to the run directory. */
  readonly modelDir: string;
  /** Results of the evaluators due at this iteration (`evaluate:` with `every`), by evaluator name. */
  readonly evaluations?: Readonly<Record<string, Evaluation>>;
}

/** The final recovery fine-tune (`finetune.final`): one longer fine-tune of the final model, after the loop. */
export interface RecoveryRecord {
  /** The iteration whose model was recovered (the unrecovered final model, `final.iteration`). */
  readonly iteration: number;
  /** Training images per epoch. */
  readonly images: number;
  readonly epochs: number;
  /** The distillation settings, when the fine-tune distilled. */
  readonly distill?: Readonly<Record<string, unknown>>;
  /** The final model before the recovery (equal to `final.stats`) and after it. */
  readonly before: ModelStats;
  readonly after: ModelStats;
  /** Accuracy after the recovery minus the baseline's, in points of [0, 1]. */
  readonly accuracyChange: number;
  /** Test loss and accuracy after every epoch (not used to choose anything: the last epoch's weights are kept). */
  readonly history: readonly { readonly epoch: number; readonly lr: number; readonly loss: number; readonly accuracy?: number; readonly seconds: number }[];
  readonly seconds: number;
  /** Model directory, relative to the run directory. */
  readonly modelDir: string;
  /** Hash of the settings the recovery ran with: a changed `finetune.final` runs it again. */
  readonly settingsHash: string;
}

/**
 * Why the loop ended: the `reason` of the stop rule that ended it, core's (`nothing-to-prune`, `accuracy-floor`,
 * `flops-target`, `params-target`, `max-iterations`) or a plugin's (`min-blocks`, `no-layer-candidate`, `latency-target`).
 */
export type StopReason = string;

/** Everything a run produced; written as `report.json` after every iteration. */
export interface RunReport {
  readonly name: string;
  readonly seed: number;
  readonly backend: string;
  /** The inference runner of the forward-only work (`tfjs`, `onnxruntime`) when the run started. */
  readonly runner?: string;
  readonly similarity: string;
  readonly pruners: readonly string[];
  /** The base model: the format it came in, how its output is read, what was normalised on load. */
  readonly model?: { readonly format: string; readonly classifier: string; readonly notes: readonly string[] };
  readonly baseline: ModelStats;
  /** Results of the pipeline's evaluators on the base model, by evaluator name (the reference of later ones). */
  readonly baselineEvaluations?: Readonly<Record<string, Evaluation>>;
  readonly iterations: readonly IterationRecord[];
  /** Filled when the run ended. */
  readonly final?: {
    readonly iteration: number;
    readonly stats: ModelStats;
    readonly flopsReduction: number;
    readonly paramsReduction: number;
    readonly accuracyChange: number;
    /** Files of the final model, relative to the run directory (`final/model.json`, and `final/model.onnx` for ONNX models). */
    readonly files?: readonly string[];
    /** Every evaluator's result on the final model. */
    readonly evaluations?: Readonly<Record<string, Evaluation>>;
  };
  readonly stopReason?: StopReason;
  readonly stopMessage?: string;
  /** The final recovery fine-tune, when the pipeline has `finetune.final`; `final.files` then hold the recovered model. */
  readonly recovery?: RecoveryRecord;
}

/**
 * Cost and quality of `model`: FLOPs and parameters, and test loss and accuracy on the runner (every row of a report).
 * @example
 * const stats = await modelStats(winner, data.test, runner); // { flops, params, accuracy, loss }
 */
export async function modelStats(model: tfl.LayersModel, test: ImageDataset, runner: InferenceRunner): Promise<ModelStats> {
  const { accuracy, loss } = await runner.evaluate(model, test);
  const { flops, params } = countCost(model);
  return { flops, params, accuracy, loss };
}

/** Fraction of `base` removed in `now` (0.5 = half). */
export function reduction(base: number, now: number): number {
  return base > 0 ? 1 - now / base : 0;
}

/**
 * Training images the run's final model cost: the fine-tunes of every iteration up to the final one (candidates that
 * lost included) and the final recovery. The budget of a from-scratch baseline at equal compute.
 * @example
 * trainingImagesOf(report) // 14 iterations x (2 candidates x 8,000 + 2 x 8,000) + 20 x 55,000
 */
export function trainingImagesOf(report: RunReport): number {
  const upTo = report.final?.iteration ?? report.iterations.length;
  const loop = report.iterations.filter((it) => it.iteration <= upTo).reduce((sum, it) => sum + (it.trainedImages ?? 0), 0);
  return loop + (report.recovery ? report.recovery.images * report.recovery.epochs : 0);
}

/** The report without wall-clock fields: equal for two runs with the same seed, killed or not. */
export function reportWithoutTimings(report: RunReport): unknown {
  return JSON.parse(JSON.stringify(report, (key, value) => (key === 'seconds' || key === 'backend' ? undefined : value)));
}
