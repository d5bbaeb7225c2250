import type * as tfl from '@tensorflow/tfjs-layers';
import type { DependencyContainer } from 'tsyringe';
import type { Backend } from '../backend/backend-types.js';
import { prepareData, type PreparedData } from '../data/prepare-data.js';
import { createPlugin } from '../plugin/create-plugin.js';
import { augmentFromSteps } from '../train/augment-from-steps.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import { evaluateCandidate } from './candidate-evaluation.js';
import type { CandidateTask, EvaluatedCandidate } from './candidate-executor.js';
import { penultimateLayer } from './capture.js';
import type { SimilarityMetric } from './criterion-types.js';
import { tfjsInferenceRunner, type InferenceRunner } from './inference-runner.js';
import type { Pipeline } from './load-pipeline.js';
import { pipelineDataSpec } from './pipeline-inputs.js';
import { resolveInPipeline } from './load-pipeline.js';
import { readModel } from '../io/read-model.js';
import { usesDistillation } from './teachers.js';
import { similaritySamples } from './similarity-samples.js';

/** Scores candidates of one pipeline's run in another process (a queue worker), as the run's own process would. */
export interface CandidateScorer {
  /** Build `task`'s candidate from `parent`, fine-tune it with the task's seed and score it against the parent. */
  score(parent: tfl.LayersModel, task: CandidateTask): Promise<EvaluatedCandidate>;
}

/**
 * A scorer for `pipeline`: its similarity metric and candidate fine-tune created once, its data loaded once per
 * normalisation (the run's data, the same subsets for the same seed), the parent's features captured per call. The
 * result equals the run's own `evaluateCandidate` for the same parent and task (same seed, data and backend).
 * @example
 * const scorer = await createCandidateScorer(pipeline, container, { runner }); const { model, record } = await scorer.score(parent, task);
 */
export async function createCandidateScorer(
  pipeline: Pipeline,
  container: DependencyContainer,
  options: { runner?: InferenceRunner; backend?: Backend; log?: (message: string) => void } = {},
): Promise<CandidateScorer> {
  const runner = options.runner ?? tfjsInferenceRunner;
  const ctx = { log: options.log ?? (() => {}), seed: pipeline.seed };
  const metric = await createPlugin<SimilarityMetric>(container, 'criterion', pipeline.similarity.use, pipeline.similarity.with, ctx, 'similarity.with');
  const settings = pipeline.finetune.candidate;
  const finetune =
    settings && (settings.epochs ?? 1) !== 0
      ? await createPlugin<TrainerFactory>(container, 'trainer', pipeline.trainer, settings, ctx, 'finetune.candidate')
      : null;
  const augment = augmentFromSteps(pipeline.data.augment);
  // the base model as a teacher, when candidate fine-tunes distil: the pipeline's model file (a zoo-trained base lives
  // in the run folder, which a worker does not see: such fine-tunes name `teacher: parent` or run locally)
  const base =
    usesDistillation(settings) && 'path' in pipeline.model ? (await readModel(resolveInPipeline(pipeline, pipeline.model.path), container)).model : undefined;
  let loaded: { key: string; data: PreparedData } | undefined;
  return {
    async score(parent, task) {
      const key = JSON.stringify(task.normalization);
      if (loaded?.key !== key) loaded = { key, data: await prepareData(pipelineDataSpec(pipeline) as never, task.normalization) };
      const { data } = loaded;
      const samples = similaritySamples(pipeline, data);
      const layer = pipeline.similarity.layer === 'penultimate' ? penultimateLayer(parent) : pipeline.similarity.layer;
      const parentFeatures = await runner.capture(parent, layer, samples);
      return evaluateCandidate(parent, task.candidate, {
        parentFeatures,
        layer,
        samples,
        metric,
        train: data.train,
        finetune,
        base,
        augment,
        backend: options.backend,
        seed: task.seed,
        runner,
      });
    },
  };
}
