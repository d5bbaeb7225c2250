import type * as tfl from '@tensorflow/tfjs-layers';
import type { DependencyContainer } from 'tsyringe';
import type { Backend } from '../backend/backend-types.js';
import { prepareData, type PreparedData } from '../data/prepare-data.js';
import { evaluateCandidate } from './candidate-evaluation.js';
import type { CandidateTask, EvaluatedCandidate } from './candidate-executor.js';
import type { InferenceRunner } from './inference-runner.js';
import { createRunSession, type PipelineEvent } from './run-session.js';
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
  const onEvent = (e: PipelineEvent) => (e.type === 'log' ? options.log?.(e.message) : undefined);
  const session = await createRunSession(pipeline, container, { runner: options.runner, backend: options.backend, onEvent, evaluators: false });
  // the base model as a teacher, when candidate fine-tunes distil: the pipeline's model file (a zoo-trained base lives
  // in the run folder, which a worker does not see: such fine-tunes name `teacher: parent` or run locally)
  const distils = usesDistillation(pipeline.finetune.candidate) && 'path' in pipeline.model;
  const base = distils ? (await readModel(resolveInPipeline(pipeline, (pipeline.model as { path: string }).path), container)).model : undefined;
  let loaded: { key: string; data: PreparedData } | undefined;
  return {
    async score(parent, task) {
      const key = JSON.stringify(task.normalization);
      if (loaded?.key !== key) loaded = { key, data: await prepareData(pipelineDataSpec(pipeline) as never, task.normalization) };
      const { data } = loaded;
      const samples = similaritySamples(pipeline, data);
      const layer = session.similarityLayer(parent);
      const parentFeatures = await session.runner.capture(parent, layer, samples);
      return evaluateCandidate(parent, task.candidate, {
        parentFeatures,
        layer,
        samples,
        metric: session.metric,
        train: data.train,
        finetune: session.finetune.candidate,
        base,
        augment: session.augment,
        backend: session.backend,
        seed: task.seed,
        runner: session.runner,
      });
    },
  };
}
