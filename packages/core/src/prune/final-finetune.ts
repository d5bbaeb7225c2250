import type * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import type { Backend } from '../backend/backend-types.js';
import { prepareData, type PreparedData } from '../data/prepare-data.js';
import { isOmnipruneError } from '../errors/omniprune-error.js';
import { loadModel, saveModel } from '../io/model-io.js';
import { instantiatePlugin } from '../plugin/create-plugin.js';
import type { HostContext } from '../plugin/plugin-context.js';
import { deriveSeed } from '../train/batches.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import { readTrainCheckpoint, removeTrainCheckpoint, saveTrainCheckpoint } from '../train/train-checkpoint.js';
import type { AugmentFn, TrainEvent } from '../train/types.js';
import { hashSettings } from '../util/hash-settings.js';
import type { InferenceRunner } from './inference-runner.js';
import type { Pipeline } from './load-pipeline.js';
import { pipelineDataSpec } from './pipeline-inputs.js';
import { modelStats, type RecoveryRecord, type RunReport } from './run-report.js';
import { BASELINE_DIR, usesDistillation } from './teachers.js';

/** Folder of the recovered model (and, while it trains, of its per-epoch checkpoint) in a run. */
export const RECOVERY_DIR = 'recovery';

/** Seed part of the recovery's shuffle and augmentation (iterations use their own numbers). */
const RECOVERY_SEED_PART = 0x7ec0;

/** What the final recovery needs from the run. */
export interface RecoveryContext {
  readonly pipeline: Pipeline;
  readonly container: DependencyContainer;
  readonly outDir: string;
  readonly normalization: PreparedData['normalization'];
  readonly backend?: Backend;
  readonly runner: InferenceRunner;
  readonly signal?: AbortSignal;
  readonly ctx: HostContext;
  readonly onTrainEvent: (event: TrainEvent) => void;
  /** The pipeline's augmentation (the run session's). */
  readonly augment?: AugmentFn;
}

/**
 * The training images of the recovery: the pipeline's data with `finetune.final.images` in place of `trainSubset`
 * (`all`: the whole training split, the validation hold-out still held out), loaded with the run's normalisation.
 */
async function recoveryData(pipeline: Pipeline, images: unknown, normalization: PreparedData['normalization']): Promise<PreparedData> {
  const spec = pipelineDataSpec(pipeline);
  const { trainSubset: _subset, ...dataset } = spec.dataset as Record<string, unknown>;
  const subset = typeof images === 'number' ? { trainSubset: images } : {};
  return prepareData({ ...spec, dataset: { ...dataset, ...subset } } as never, normalization);
}

/**
 * Run the pipeline's `finetune.final` on the final model once, after the loop: resumable per epoch (a checkpoint in
 * `recovery/checkpoint`), distilled from the base model or the unrecovered final model when it says so. Returns the
 * model to write as the run's final model (the recovered one, or `model` itself without `finetune.final`) and the
 * report with its `recovery` row. A finished recovery with the same settings is loaded, not run again; `model` is
 * disposed when another model is returned.
 * @example
 * ({ report, model } = await recoverFinalModel(report, finalModel, recoveryContext));
 */
export async function recoverFinalModel(
  report: RunReport,
  model: tfl.LayersModel,
  run: RecoveryContext,
): Promise<{ report: RunReport; model: tfl.LayersModel }> {
  const settings = run.pipeline.finetune.final;
  if (!settings || !report.final) return { report, model };
  const { images = 'all', ...trainerSettings } = settings;
  const dir = join(run.outDir, RECOVERY_DIR);
  const settingsHash = hashSettings({ settings, iteration: report.final.iteration, before: report.final.stats });
  if (report.recovery?.settingsHash === settingsHash) {
    run.ctx.log(`final recovery: done earlier (${dir})`);
    model.dispose();
    return { report, model: await loadModel(dir) };
  }
  const data = await recoveryData(run.pipeline, images, run.normalization);
  const checkpoint = await readTrainCheckpoint(dir, settingsHash).catch(async (e) => {
    if (!isOmnipruneError(e) || e.code !== 'E_BAD_INPUT') throw e;
    // a checkpoint of other settings: `finetune.final` changed since, and runs again from its start
    run.ctx.log('final recovery: finetune.final changed since the last checkpoint; starting it again');
    await removeTrainCheckpoint(dir);
    return null;
  });
  const student = checkpoint?.model ?? model;
  if (checkpoint) run.ctx.log(`final recovery: resuming after epoch ${checkpoint.state.epochsDone}`);
  const distill = usesDistillation(trainerSettings);
  // teachers are frozen copies: the base model, and the final model as it was before the recovery (`parent`)
  const base = distill ? await loadModel(join(run.outDir, BASELINE_DIR)) : undefined;
  const parent = distill ? await loadModel(join(run.outDir, modelDirOf(report, report.final.iteration))) : undefined;
  try {
    const factory = await instantiatePlugin<TrainerFactory>(run.container, 'trainer', run.pipeline.trainer, trainerSettings, run.ctx, 'finetune.final');
    const trainer = factory({
      seed: deriveSeed(run.pipeline.seed, RECOVERY_SEED_PART),
      augment: run.augment,
      backend: run.backend,
      teachers: { base, parent },
    });
    run.ctx.log(`final recovery: ${data.train.count} training images per epoch${distill ? ', distilled' : ''}`);
    const metadata = { omniprune: { normalization: run.normalization, iteration: report.final.iteration, recovered: true } };
    const fit = await trainer.fit(student, data.train, {
      validation: data.test,
      resume: checkpoint?.state,
      signal: run.signal,
      onEvent: run.onTrainEvent,
      onEpochEnd: (state) => saveTrainCheckpoint(dir, student, state, settingsHash, metadata),
    });
    const after = await modelStats(student, data.test, run.runner);
    await saveModel(student, dir, metadata);
    await removeTrainCheckpoint(dir);
    const recovery: RecoveryRecord = {
      iteration: report.final.iteration,
      images: data.train.count,
      epochs: fit.history.length,
      ...(distill ? { distill: trainerSettings.distill as Record<string, unknown> } : {}),
      before: report.final.stats,
      after,
      accuracyChange: after.accuracy - report.baseline.accuracy,
      history: fit.history.map((h) => ({ epoch: h.epoch, lr: h.lr, loss: h.loss, accuracy: h.val?.accuracy, seconds: h.seconds })),
      seconds: fit.history.reduce((sum, h) => sum + h.seconds, 0),
      modelDir: RECOVERY_DIR,
      settingsHash,
    };
    if (student !== model) model.dispose();
    return { report: { ...report, recovery }, model: student };
  } catch (e) {
    if (student !== model) student.dispose();
    throw e;
  } finally {
    base?.dispose();
    parent?.dispose();
  }
}

/** Folder of an iteration's model in the run (iteration 0: the base model). */
export function modelDirOf(report: RunReport, iteration: number): string {
  return iteration === 0 ? BASELINE_DIR : report.iterations[iteration - 1].modelDir;
}
