import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from './data-types.js';
import type { InferenceRunner } from './prune-types.js';

/** When an evaluator runs: on the run's base model, an iteration's winner, the final model, or `omniprune eval`. */
export type EvaluationPhase = 'baseline' | 'iteration' | 'final' | 'eval';

/** Per-channel input normalisation `(pixel - mean) / std` the model was trained with. */
export interface InputNormalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** What an evaluator sees besides the model. */
export interface EvaluationContext {
  /** Test images as the model sees them (normalised with {@link EvaluationContext.normalization}). */
  readonly test: ImageDataset;
  /** The normalisation applied to raw pixels, or null when the model takes raw pixels. */
  readonly normalization: InputNormalization | null;
  /** Range of raw pixels before normalisation: `[0, 1]` (datasets are scaled by default) or `[0, 255]`. */
  readonly pixelRange: readonly [number, number];
  /**
   * The reference the evaluated model is compared with (the run's base model), with this evaluator's result on it.
   * Absent when the base model itself is evaluated, and in `omniprune eval` without `--baseline`.
   */
  readonly reference?: { readonly model: tfl.LayersModel; readonly result: Evaluation };
  /** The run's inference runner (forward-only work). Gradients run on the compute backend (`services.tf`). */
  readonly runner: InferenceRunner;
  /** Seed of the run: evaluators draw every random thing from it (the same run evaluates the same way). */
  readonly seed: number;
  readonly phase: EvaluationPhase;
  /** 0 for the base model, else the iteration whose winner is evaluated (the final model's iteration for `final`). */
  readonly iteration: number;
  readonly signal?: AbortSignal;
  log(message: string): void;
}

/** An evaluator's result on one model. JSON-serialisable: it is written to `report.json`. */
export interface Evaluation {
  /**
   * Named scalar results, e.g. `{ 'fgsm@8/255': 0.41, 'pgd@8/255': 0.12 }`. Accuracies are fractions in [0, 1];
   * other units are in the name (`joulesPer10k`, `msBatch1`).
   */
  readonly metrics: Readonly<Record<string, number>>;
  /** The metric `report.html` plots against FLOPs reduction and shows in its table (default: the first one). */
  readonly headline?: string;
  /** One line for humans (logs, `omniprune eval`). */
  readonly summary: string;
  /** True when the numbers are estimates rather than measurements (energy without counters); shown everywhere. */
  readonly estimated?: boolean;
  /** Problems a reader must know (e.g. a gradient-masking warning). */
  readonly warnings?: readonly string[];
  /** Free-form JSON details (per-corruption tables, per-set OOD scores). */
  readonly details?: unknown;
  /**
   * Set by core when the evaluator threw: the error message (`metrics` is then empty). A failing evaluator does not
   * stop a pruning run; `omniprune eval` exits 1.
   */
  readonly error?: string;
}

/** The fine-tunes an evaluator can watch (energy of training, for instance). */
export type TrainingPhase = 'base' | 'candidate' | 'winner';

/**
 * Measures something about a model beyond accuracy and FLOPs: robustness, out-of-distribution detection, energy,
 * latency. Pipelines list evaluators under `evaluate:`; the orchestrator runs them on the base model, on every
 * `every`-th iteration's winner and on the final model.
 * @example
 * const evaluator: Evaluator = { name: 'clean', async evaluate(model, ctx) { ... return { metrics: { accuracy }, summary } } };
 */
export interface Evaluator {
  readonly name: string;
  evaluate(model: tfl.LayersModel, ctx: EvaluationContext): Promise<Evaluation>;
  /** Called when a fine-tune starts and ends (the orchestrator's training phases), for evaluators that measure training. */
  observeTraining?(phase: TrainingPhase, event: 'start' | 'end'): void;
  /** Free what the evaluator holds (sessions, buffers). */
  dispose?(): void | Promise<void>;
}
