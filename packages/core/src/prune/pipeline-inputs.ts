import type * as tfl from '@tensorflow/tfjs-layers';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { prepareData, type PreparedData } from '../data/prepare-data.js';
import { annotateModel } from '../io/model-annotations.js';
import { loadModel, saveModel } from '../io/model-io.js';
import { readModel } from '../io/read-model.js';
import { classifierOutput } from '../train/classifier-output.js';
import { instantiatePlugin } from '../plugin/create-plugin.js';
import type { HostContext } from '../plugin/plugin-context.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import { augmentFromSteps } from '../train/augment-from-steps.js';
import type { TrainEvent } from '../train/types.js';
import { buildZooModel } from '../zoo/build.js';
import { resolveInPipeline, type Pipeline } from './load-pipeline.js';

/** The base model and data of a pipeline run. */
export interface PipelineInputs {
  readonly model: tfl.LayersModel;
  readonly data: PreparedData;
  /** What the reader changed on load (empty for zoo models). */
  readonly notes: readonly string[];
}

/**
 * The pipeline's data settings as a run loads them: the dataset path resolved against the pipeline's folder, and the
 * subsets drawn with the run's seed unless `data.dataset.seed` pins them.
 * @example
 * pipelineDataSpec(pipeline).dataset.seed // pipeline.seed when the YAML gives none
 */
export function pipelineDataSpec(pipeline: Pipeline): Pipeline['data'] {
  const dataset = { ...pipeline.data.dataset } as Record<string, unknown>;
  if (typeof dataset.path === 'string') dataset.path = resolveInPipeline(pipeline, dataset.path);
  dataset.seed ??= pipeline.seed;
  return { ...pipeline.data, dataset } as Pipeline['data'];
}

/**
 * Load (or train from scratch, once, into `runDir/base`) the pipeline's model and load its data normalised with
 * the statistics the model was trained with.
 */
export async function preparePipelineInputs(
  pipeline: Pipeline,
  container: DependencyContainer,
  runDir: string,
  ctx: HostContext,
  onTrainEvent: (e: TrainEvent) => void,
): Promise<PipelineInputs> {
  const augment = augmentFromSteps(pipeline.data.augment);
  const dataSpec = pipelineDataSpec(pipeline) as never;
  if ('path' in pipeline.model) {
    const { path, logitsLayer, output } = pipeline.model;
    const loaded = await readModel(resolveInPipeline(pipeline, path), container);
    if (logitsLayer || output) annotateModel(loaded.model, { classifier: { logitsLayer, output } });
    for (const note of loaded.notes) ctx.log(`model: ${note}`);
    ctx.log(`model: ${loaded.origin.format} model, ${classifierOutput(loaded.model).reason}`);
    const data = await prepareData(dataSpec, loaded.metadata.normalization ?? undefined);
    return { model: loaded.model, data, notes: loaded.notes };
  }
  const data = await prepareData(dataSpec);
  const baseDir = join(runDir, 'base');
  if (await stat(join(baseDir, 'model.json')).catch(() => null)) {
    ctx.log(`using the base model trained earlier in ${baseDir}`);
    return { model: await loadModel(baseDir), data, notes: [] };
  }
  const model = buildZooModel(pipeline.model.zoo, {
    inputShape: [...data.train.shape] as [number, number, number],
    classes: data.train.numClasses,
    seed: pipeline.model.seed ?? pipeline.seed,
  });
  ctx.log(`training ${pipeline.model.zoo} from scratch`);
  const factory = await instantiatePlugin<TrainerFactory>(container, 'trainer', pipeline.trainer, pipeline.model.train, ctx, 'model.train');
  await factory({ seed: pipeline.seed, augment }).fit(model, data.train, { onEvent: onTrainEvent });
  await saveModel(model, baseDir, { omniprune: { normalization: data.normalization, trainedBy: 'pipeline' } });
  return { model, data, notes: [] };
}
