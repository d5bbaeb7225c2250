import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { disposeEvaluators, dueAt, observeTraining, runEvaluators, type Evaluations, type ScheduledEvaluator } from '../evaluate/run-evaluators.js';
import type { EvaluationPhase, InputNormalization, TrainingPhase } from '../evaluate/evaluator-types.js';
import { loadModel } from '../io/model-io.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import type { InferenceRunner } from './inference-runner.js';

/** What a run's evaluations need from the run. */
export interface RunEvaluationSetting {
  readonly evaluators: readonly ScheduledEvaluator[];
  readonly test: ImageDataset;
  readonly normalization: InputNormalization | null;
  readonly pixelRange: readonly [number, number];
  readonly runner: InferenceRunner;
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly log: (message: string) => void;
  /** Called after each model's evaluations (progress). */
  readonly onEvaluated?: (phase: EvaluationPhase, iteration: number, results: Evaluations) => void;
}

/** The evaluations of one pruning run: base model, due iterations, final model; compared with the base model. */
export interface RunEvaluations {
  readonly active: boolean;
  /** Evaluate the base model (the reference of every later evaluation). */
  baseline(model: tfl.LayersModel): Promise<Evaluations>;
  /** Evaluate iteration `iteration`'s winner with the evaluators due then; undefined when none is due. */
  iteration(winner: tfl.LayersModel, iteration: number, baseline: Evaluations): Promise<Evaluations | undefined>;
  /** Evaluate the final model with every evaluator that has no result for it yet (`done`: its iteration's results). */
  final(model: tfl.LayersModel, iteration: number, baseline: Evaluations, done: Evaluations | undefined): Promise<Evaluations>;
  /** The trainer factory, telling the evaluators that watch training when each fine-tune starts and ends. */
  watch(factory: TrainerFactory | null, phase: TrainingPhase): TrainerFactory | null;
  dispose(): Promise<void>;
}

/**
 * The evaluations of a run whose base model is saved in `baselineDir` (loaded once, as the reference the later
 * models are compared with: latency is timed interleaved with it). Inactive (every method a no-op) without evaluators.
 * @example
 * const evaluations = runEvaluations(setting, join(outDir, 'iterations/000'));
 * const onBase = await evaluations.baseline(model);
 */
export function runEvaluations(setting: RunEvaluationSetting, baselineDir: string): RunEvaluations {
  const { evaluators, onEvaluated, ...shared } = setting;
  let reference: tfl.LayersModel | undefined;
  const referenceModel = async () => {
    reference ??= await loadModel(baselineDir);
    return reference;
  };
  const run = async (
    which: readonly ScheduledEvaluator[],
    model: tfl.LayersModel,
    phase: EvaluationPhase,
    iteration: number,
    baseline?: Evaluations,
  ): Promise<Evaluations> => {
    const results = await runEvaluators(which, model, shared, {
      phase,
      iteration,
      ...(baseline ? { reference: { model: await referenceModel(), results: baseline } } : {}),
    });
    onEvaluated?.(phase, iteration, results);
    return results;
  };
  return {
    active: evaluators.length > 0,
    baseline: (model) => (evaluators.length ? run(evaluators, model, 'baseline', 0) : Promise.resolve({})),
    async iteration(winner, iteration, baseline) {
      const due = evaluators.filter((e) => dueAt(e, iteration));
      return due.length ? run(due, winner, 'iteration', iteration, baseline) : undefined;
    },
    async final(model, iteration, baseline, done) {
      if (iteration === 0) return baseline;
      const missing = evaluators.filter((e) => !done?.[e.name]);
      const fresh = missing.length ? await run(missing, model, 'final', iteration, baseline) : {};
      return { ...(done ?? {}), ...fresh };
    },
    watch(factory, phase) {
      if (!factory || !evaluators.some((e) => e.evaluator.observeTraining)) return factory;
      return (runArgs) => {
        const trainer = factory(runArgs);
        return {
          ...trainer,
          async fit(model, train, options) {
            observeTraining(evaluators, phase, 'start');
            try {
              return await trainer.fit(model, train, options);
            } finally {
              observeTraining(evaluators, phase, 'end');
            }
          },
        };
      };
    },
    async dispose() {
      reference?.dispose();
      reference = undefined;
      await disposeEvaluators(evaluators, shared.log);
    },
  };
}
