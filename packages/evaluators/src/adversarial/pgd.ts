import type * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@omniprune/core/util';
import type { ClassifierForward } from '@omniprune/plugin-api';
import { normalizedTensor, rawPixelsTensor } from '../shared/pixel-space.js';
import { checkAttackOptions, type PgdOptions } from './attack-options.js';

/** Uniform noise in `[-epsilon, epsilon)` from core's seeded generator (backend-independent). */
function uniformNoise(size: number, epsilon: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const noise = new Float32Array(size);
  for (let i = 0; i < size; i++) noise[i] = (2 * rng.next() - 1) * epsilon;
  return noise;
}

/** The best iterate so far per image: misclassified beats correct, then the higher loss wins. */
interface BestIterate {
  images: tf.Tensor4D;
  fooled: tf.Tensor1D;
  loss: tf.Tensor1D;
}

/** What one iterate scores: per-image loss and whether the classifier gets it wrong. */
interface IterateScore {
  loss: tf.Tensor1D;
  fooled: tf.Tensor1D;
}

/**
 * Projected gradient descent, L-infinity (Madry et al. 2018), in raw pixel space: from `raw` (or a uniform random
 * point of the epsilon ball when `randomStart`), `steps` times `raw <- clip(proj_eps(raw + stepSize * epsilon *
 * sign(grad_raw CE)), low, high)`. Per image, the first iterate found (start and last included) that is misclassified
 * is kept, else the one with the highest loss; it is returned renormalised for the model, a new tensor the caller
 * disposes. Defaults: 10 steps, step size `2.5 / steps` of epsilon, random start, seed 0.
 * @example
 * const adv = pgdAttack(tf, classifier, x, labels, { epsilon: 8 / 255, normalization, pixelRange: [0, 1], steps: 10, seed: 7 });
 */
export function pgdAttack(tfc: typeof tf, classifier: ClassifierForward, x: tf.Tensor4D, labels: tf.Tensor1D, options: PgdOptions): tf.Tensor4D {
  checkAttackOptions(options);
  const steps = options.steps ?? 10;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new RangeError(`[evaluator:adversarial] PGD steps must be a positive integer, got ${steps}`);
  const alpha = (options.stepSize ?? 2.5 / steps) * options.epsilon;
  const [low, high] = options.pixelRange;
  const batch = x.shape[0];
  const [origin, lower, upper] = tfc.tidy(() => {
    const raw = tfc.clipByValue(rawPixelsTensor(tfc, x, options.normalization), low, high) as tf.Tensor4D;
    return [raw, tfc.maximum(tfc.sub(raw, options.epsilon), low), tfc.minimum(tfc.add(raw, options.epsilon), high)] as tf.Tensor4D[];
  });
  /** Per-image loss and misclassification of raw pixels `r`; the misclassification is kept out of the gradient's tidy. */
  let fooledAtLastCall: tf.Tensor1D | null = null;
  const score = (r: tf.Tensor4D): tf.Tensor1D => {
    const output = classifier.forward(normalizedTensor(tfc, r, options.normalization));
    fooledAtLastCall = tfc.keep(tfc.cast(tfc.notEqual(tfc.argMax(output, -1), labels), 'float32') as tf.Tensor1D);
    return classifier.crossEntropy(output, labels);
  };
  const lossAndGrad = tfc.valueAndGrad((r: tf.Tensor) => score(r as tf.Tensor4D));
  const takeFooled = (): tf.Tensor1D => {
    const fooled = fooledAtLastCall!;
    fooledAtLastCall = null;
    return fooled;
  };
  let current: tf.Tensor4D =
    options.randomStart === false
      ? origin.clone()
      : tfc.tidy(
          () =>
            tfc.clipByValue(tfc.add(origin, tfc.tensor(uniformNoise(origin.size, options.epsilon, options.seed ?? 0), origin.shape)), low, high) as tf.Tensor4D,
        );
  let best: BestIterate = {
    images: current.clone(),
    fooled: tfc.fill([batch], -1) as tf.Tensor1D,
    loss: tfc.fill([batch], Number.NEGATIVE_INFINITY) as tf.Tensor1D,
  };
  /** Keep, per image, `candidate` when it beats the best so far; frees the score. */
  const keepBest = (candidate: tf.Tensor4D, s: IterateScore): void => {
    const next = tfc.tidy(() => {
      const better = tfc.logicalOr(tfc.greater(s.fooled, best.fooled), tfc.logicalAnd(tfc.equal(s.fooled, best.fooled), tfc.greater(s.loss, best.loss)));
      const mask = tfc.broadcastTo(tfc.reshape(better, [batch, 1, 1, 1]), candidate.shape);
      return {
        images: tfc.where(mask, candidate, best.images) as tf.Tensor4D,
        fooled: tfc.where(better, s.fooled, best.fooled) as tf.Tensor1D,
        loss: tfc.where(better, s.loss, best.loss) as tf.Tensor1D,
      };
    });
    tfc.dispose([best.images, best.fooled, best.loss, s.loss, s.fooled]);
    best = next;
  };
  try {
    for (let step = 0; step < steps; step++) {
      const { value, grad } = lossAndGrad(current);
      keepBest(current, { loss: value as tf.Tensor1D, fooled: takeFooled() });
      const next = tfc.tidy(() => tfc.minimum(tfc.maximum(tfc.add(current, tfc.mul(tfc.sign(grad), alpha)), lower), upper) as tf.Tensor4D);
      grad.dispose();
      current.dispose();
      current = next;
    }
    const loss = tfc.tidy(() => score(current));
    keepBest(current, { loss, fooled: takeFooled() });
    const adversarial = tfc.tidy(() => normalizedTensor(tfc, best.images, options.normalization));
    if (adversarial === best.images) best.images = current; // the model takes raw pixels: `best.images` is the result, do not free it
    return adversarial;
  } finally {
    const stray = fooledAtLastCall as tf.Tensor1D | null;
    tfc.dispose([origin, lower, upper, current, best.images, best.fooled, best.loss, ...(stray ? [stray] : [])]);
  }
}
