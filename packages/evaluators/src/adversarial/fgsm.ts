import type * as tf from '@tensorflow/tfjs-core';
import type { ClassifierForward } from '@omniprune/plugin-api';
import { normalizedTensor, rawPixelsTensor } from '../shared/pixel-space.js';
import { type AttackOptions, checkAttackOptions } from './attack-options.js';

/**
 * Gradient of the per-sample cross-entropy with respect to raw pixels `raw` (the sum over the batch, so each image
 * gets its own loss gradient). Call inside `tf.tidy`.
 */
export function rawLossGradient(tfc: typeof tf, classifier: ClassifierForward, raw: tf.Tensor4D, labels: tf.Tensor1D, options: AttackOptions): tf.Tensor4D {
  const loss = (r: tf.Tensor): tf.Scalar =>
    tfc.sum(classifier.crossEntropy(classifier.forward(normalizedTensor(tfc, r as tf.Tensor4D, options.normalization)), labels));
  return tfc.grad(loss)(raw) as tf.Tensor4D;
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015) in raw pixel space: `raw' = clip(raw + epsilon * sign(grad_raw
 * CE), low, high)` with `raw = x * std + mean`, returned renormalised for the model. `x` is a batch of normalised
 * images, `labels` their int32 classes; gradients on the host's TF.js (`tfc`, i.e. `services.tf`). The result is a new
 * tensor (the caller disposes it); nothing else is kept.
 * @example
 * const adv = fgsmAttack(tf, services.model.classifier(model), x, labels, { epsilon: 8 / 255, normalization: null, pixelRange: [0, 1] });
 */
export function fgsmAttack(tfc: typeof tf, classifier: ClassifierForward, x: tf.Tensor4D, labels: tf.Tensor1D, options: AttackOptions): tf.Tensor4D {
  checkAttackOptions(options);
  const [low, high] = options.pixelRange;
  return tfc.tidy(() => {
    const raw = tfc.clipByValue(rawPixelsTensor(tfc, x, options.normalization), low, high) as tf.Tensor4D;
    const step = tfc.mul(tfc.sign(rawLossGradient(tfc, classifier, raw, labels, options)), options.epsilon);
    const adversarial = tfc.clipByValue(tfc.add(raw, step), low, high) as tf.Tensor4D;
    return normalizedTensor(tfc, adversarial, options.normalization);
  });
}
