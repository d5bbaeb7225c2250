import { defineTrainer } from '../plugin/define-plugin.js';
import { sgdTrainerOptionsSchema } from './options.js';
import { createSgdTrainer } from './sgd-trainer.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Backend } from '../backend/backend-types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { AugmentFn, Trainer } from './types.js';

/** Models a fine-tune can distil from: the pipeline's unpruned model and the model the fine-tuned one was pruned from. */
export interface TrainerTeachers {
  readonly base?: tfl.LayersModel;
  readonly parent?: tfl.LayersModel;
}

/** Per-fit settings the orchestrator supplies: a derived seed, the data pipeline's augmentation and the run's backend. */
export interface TrainerRun {
  seed: number;
  augment?: AugmentFn;
  /** The run's compute backend: the trainer activates it before training. */
  backend?: Backend;
  /** Teachers for distillation (read by trainers with a `distill` option; the trainer neither trains nor disposes them). */
  teachers?: TrainerTeachers;
}

/** What a trainer plugin creates: a factory of trainers, one per fit. */
export type TrainerFactory = (run: TrainerRun) => Trainer;

/** YAML-facing options of the SGD trainer (seed and augmentation come from the pipeline). */
export const sgdTrainerPluginOptions = sgdTrainerOptionsSchema.omit({ augment: true, seed: true });

/**
 * The built-in trainer plugin `trainer:sgd`: SGD with momentum/Nesterov, weight decay, step/cosine schedules.
 * @example
 * const factory = await sgdTrainerPlugin.create(sgdTrainerPluginOptions.parse({ epochs: 1 }), ctx);
 * await factory({ seed: 1 }).fit(model, train);
 */
export const sgdTrainerPlugin = defineTrainer({
  name: 'sgd',
  description: 'SGD with momentum/Nesterov, weight decay, step or cosine schedule, label smoothing, early stopping',
  options: sgdTrainerPluginOptions,
  create:
    (options): TrainerFactory =>
    (run) => {
      const trainer = createSgdTrainer({ ...options, seed: run.seed, augment: run.augment });
      const teacher = options.distill ? run.teachers?.[options.distill.teacher] : undefined;
      if (options.distill && !teacher) {
        throw new OmnipruneError(
          'E_SCHEMA',
          `distill.teacher: ${options.distill.teacher}: this fine-tune has no ${options.distill.teacher} model to distil from`,
          {
            plugin: 'trainer:sgd',
            hint: options.distill.teacher === 'parent' ? 'use distill: { teacher: base }' : 'use distill: { teacher: parent }',
          },
        );
      }
      return { ...trainer, fit: (model, train, opts) => trainer.fit(model, train, { backend: run.backend, teacher, ...opts }) };
    },
});
