import type * as tf from '@tensorflow/tfjs-core';
import type { ClassifierForward, ImageDataset } from '@omniprune/plugin-api';
import type { PixelSpace } from '../shared/pixel-space.js';
import { deriveSeed } from '../shared/seeds.js';
import type { AttackName } from './adversarial-options.js';
import { fgsmAttack } from './fgsm.js';
import { pgdAttack } from './pgd.js';

/** Options of {@link robustAccuracy}. */
export interface RobustAccuracyOptions extends PixelSpace {
  /** L-infinity budgets in raw pixel units. */
  readonly epsilons: readonly number[];
  readonly attacks: readonly AttackName[];
  readonly pgd: { readonly steps: number; readonly stepSize?: number; readonly randomStart: boolean };
  /** Images per batch. */
  readonly batchSize: number;
  /** Seed of PGD's random starts (one stream per batch and epsilon). */
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

/** Accuracies (fractions in [0, 1]) of a classifier on clean and attacked images. */
export interface RobustAccuracy {
  readonly clean: number;
  /** Per attack run, one accuracy per epsilon (in the order given). */
  readonly attacked: Partial<Record<AttackName, number[]>>;
}

/** Number of rows of `x` the classifier labels correctly. */
async function correctCount(tfc: typeof tf, classifier: ClassifierForward, x: tf.Tensor4D, labels: tf.Tensor1D): Promise<number> {
  const count = tfc.tidy(() => tfc.sum(tfc.cast(tfc.equal(tfc.argMax(classifier.forward(x), -1), labels), 'float32')));
  try {
    return (await count.data())[0];
  } finally {
    count.dispose();
  }
}

/**
 * Clean accuracy and accuracy under FGSM and PGD at each epsilon of `ds` (normalised images as the model sees them),
 * batch by batch on the host's TF.js. Every tensor is freed before it returns (or throws).
 * @example
 * const acc = await robustAccuracy(services.tf, services.model.classifier(model), subset, {
 *   epsilons: [8 / 255], attacks: ['fgsm', 'pgd'], pgd: { steps: 10, randomStart: true },
 *   batchSize: 100, seed: 1, normalization: null, pixelRange: [0, 1],
 * }); // { clean: 0.91, attacked: { fgsm: [0.4], pgd: [0.1] } }
 */
export async function robustAccuracy(tfc: typeof tf, classifier: ClassifierForward, ds: ImageDataset, options: RobustAccuracyOptions): Promise<RobustAccuracy> {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  let clean = 0;
  const correct = Object.fromEntries(options.attacks.map((a) => [a, options.epsilons.map(() => 0)])) as Partial<Record<AttackName, number[]>>;
  for (let start = 0, batch = 0; start < ds.count; start += options.batchSize, batch++) {
    options.signal?.throwIfAborted();
    const size = Math.min(options.batchSize, ds.count - start);
    const x = tfc.tensor4d(ds.images.subarray(start * per, (start + size) * per), [size, h, w, c]);
    const labels = tfc.tensor1d(ds.labels.subarray(start, start + size), 'int32');
    try {
      clean += await correctCount(tfc, classifier, x, labels);
      for (const [e, epsilon] of options.epsilons.entries()) {
        const space = { epsilon, normalization: options.normalization, pixelRange: options.pixelRange };
        for (const attack of options.attacks) {
          const adversarial =
            attack === 'fgsm'
              ? fgsmAttack(tfc, classifier, x, labels, space)
              : pgdAttack(tfc, classifier, x, labels, { ...space, ...options.pgd, seed: deriveSeed(options.seed, batch, e) });
          try {
            correct[attack]![e] += await correctCount(tfc, classifier, adversarial, labels);
          } finally {
            adversarial.dispose();
          }
        }
      }
    } finally {
      tfc.dispose([x, labels]);
    }
    options.log?.(`adversarial: ${start + size}/${ds.count} images attacked`);
  }
  const n = Math.max(ds.count, 1);
  const attacked = Object.fromEntries(Object.entries(correct).map(([a, counts]) => [a, counts!.map((k) => k / n)]));
  return { clean: clean / n, attacked };
}
