import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, vit, type ImageDataset } from '@omniprune/core';

/** `count` random 8x8x1 images in [-1, 1), labels cycling over 4 classes. */
export function dataset(count: number): ImageDataset {
  const rng = createRng(4);
  return {
    name: 'synthetic',
    shape: [8, 8, 1],
    numClasses: 4,
    count,
    images: new Float32Array(count * 64).map(() => rng.next() * 2 - 1),
    labels: new Int32Array(count).map((_, i) => i % 4),
  };
}

/** A two-block ViT on 8x8x1 images: 4 tokens of width 16, 4 heads per attention layer, 4 classes. */
export function smallVit(): tfl.LayersModel {
  return vit({ inputShape: [8, 8, 1], classes: 4, patchSize: 4, dim: 16, depth: 2, numHeads: 4, mlpDim: 24, seed: 2 });
}
