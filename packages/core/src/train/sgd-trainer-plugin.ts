import { defineTrainer } from '../plugin/define-plugin.js';
import { sgdTrainerOptionsSchema } from './options.js';
import { createSgdTrainer } from './sgd-trainer.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { TrainerFactory } from './types.js';
export type { TrainerFactory, TrainerRun, TrainerTeachers } from './types.js';

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
