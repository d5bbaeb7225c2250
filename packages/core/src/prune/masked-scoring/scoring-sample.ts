import type { ImageDataset } from '../../data/types.js';
import { stratifiedSample } from '../prediction-divergence.js';
import type { ProposeContext } from '../pruner-types.js';

const samples = new WeakMap<ProposeContext, Map<number, ImageDataset>>();

/**
 * The scoring sample of a proposal: `samplesPerClass` training images per class (`stratifiedSample`), seeded by one
 * draw from `pc.rng` on first use; later calls with the same proposal and size return the same images without drawing.
 * @example
 * const sample = scoringSample(pc, 50); // 500 images of a 10-class dataset; scoringSample(pc, 50) === sample
 */
export function scoringSample(pc: ProposeContext, samplesPerClass: number): ImageDataset {
  const bySize = samples.get(pc) ?? new Map<number, ImageDataset>();
  samples.set(pc, bySize);
  let sample = bySize.get(samplesPerClass);
  if (!sample) {
    sample = stratifiedSample(pc.train, samplesPerClass, pc.rng.int(2 ** 31));
    bySize.set(samplesPerClass, sample);
  }
  return sample;
}
