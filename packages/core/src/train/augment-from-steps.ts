import { augmentBatch, type AugmentStep, type ImageShape } from '../data/augment.js';
import type { AugmentFn } from './types.js';

/**
 * The trainer's augmentation hook for declarative data-pipeline steps (pad-crop, flip), or undefined for none.
 * @example
 * createSgdTrainer({ augment: augmentFromSteps([{ type: 'pad-crop', pad: 4 }, { type: 'flip', p: 0.5 }]) });
 */
export function augmentFromSteps(steps: readonly AugmentStep[]): AugmentFn | undefined {
  if (steps.length === 0) return undefined;
  return (x, ctx) => {
    augmentBatch(x, ctx.size, ctx.sampleShape as unknown as ImageShape, steps, ctx.rng);
    return x;
  };
}
