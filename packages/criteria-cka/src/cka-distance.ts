import * as tf from '@tensorflow/tfjs-core';
import type { Features } from '@omniprune/core/prune';
import { linearCKA } from './linear-cka.js';

/**
 * `1 - linearCKA(x, y)` of two feature matrices of the same samples: 0 for representations equal up to an orthogonal
 * transform and isotropic scaling, up to 1 for unrelated ones. The measure of the CKA importance criteria
 * (`block-cka`, `head-cka`: `x` the parent's features, `y` the masked model's). Creates no tensor it does not dispose.
 * @example
 * await services.scoring.scoreMasked(pc, { samplesPerClass: 50, masks, readout: { kind: 'features', layer: 'gap' }, measure: linearCkaDistance });
 */
export function linearCkaDistance(x: Features, y: Features): number {
  const a = tf.tensor2d(x.data, [x.rows, x.cols]);
  const b = tf.tensor2d(y.data, [y.rows, y.cols]);
  try {
    return 1 - linearCKA(a, b);
  } finally {
    a.dispose();
    b.dispose();
  }
}
