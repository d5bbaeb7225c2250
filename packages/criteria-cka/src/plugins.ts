import { z } from 'zod';
import { defineCriterion, type SimilarityMetric } from '@omniprune/plugin-api';
import { debiasedLinearCKA, linearCKA } from './linear-cka.js';
import { minibatchCKA } from './minibatch-cka.js';
import { rbfCKA } from './rbf-cka.js';

/**
 * Criterion plugin `linear-cka` (no options): {@link linearCKA}, the paper's selection metric.
 * @example
 * similarity: { use: linear-cka }
 * // in code: const metric = linearCkaPlugin.create({}, ctx); metric.similarity(parentFeatures, candidateFeatures)
 */
export const linearCkaPlugin = defineCriterion({
  name: 'linear-cka',
  role: 'similarity',
  description: "Linear CKA (Kornblith et al. 2019), biased HSIC, float64 feature space; the paper's selection metric",
  options: z.strictObject({}),
  create: (): SimilarityMetric => ({ role: 'similarity', name: 'linear-cka', similarity: (x, y) => linearCKA(x, y) }),
});

/**
 * Criterion plugin `debiased-linear-cka` (no options): {@link debiasedLinearCKA}.
 * @example
 * similarity: { use: debiased-linear-cka }
 */
export const debiasedLinearCkaPlugin = defineCriterion({
  name: 'debiased-linear-cka',
  role: 'similarity',
  description: 'Linear CKA with the unbiased HSIC estimator (Song et al. 2012); >= 4 samples',
  options: z.strictObject({}),
  create: (): SimilarityMetric => ({ role: 'similarity', name: 'debiased-linear-cka', similarity: (x, y) => debiasedLinearCKA(x, y) }),
});

/**
 * Criterion plugin `rbf-cka`: {@link rbfCKA}. Options: `threshold` (number > 0, default 1).
 * @example
 * similarity: { use: rbf-cka, with: { threshold: 0.5 } }
 */
export const rbfCkaPlugin = defineCriterion({
  name: 'rbf-cka',
  role: 'similarity',
  description: 'CKA with RBF kernels, sigma = threshold x sqrt(median squared distance); O(n^2) time and memory',
  options: z.strictObject({
    /** sigma = threshold * sqrt(median squared distance between samples). */
    threshold: z.number().positive().finite().default(1),
  }),
  create: (options): SimilarityMetric => ({
    role: 'similarity',
    name: 'rbf-cka',
    similarity: (x, y) => rbfCKA(x, y, { threshold: options.threshold }),
  }),
});

/**
 * Criterion plugin `minibatch-cka`: {@link minibatchCKA} over batches of `batchSize` samples (for streaming use in
 * code, {@link createMinibatchCKA}). Options: `batchSize` (integer >= 4, default 1000).
 * @example
 * similarity: { use: minibatch-cka, with: { batchSize: 500 } }
 */
export const minibatchCkaPlugin = defineCriterion({
  name: 'minibatch-cka',
  role: 'similarity',
  description: 'Minibatch CKA (Nguyen et al. 2021): unbiased HSIC averaged over batches; streams, scales to 50k+ samples',
  options: z.strictObject({
    /** Samples per batch. */
    batchSize: z.number().int().min(4).default(1000),
  }),
  create: (options): SimilarityMetric => ({
    role: 'similarity',
    name: 'minibatch-cka',
    similarity: (x, y) => minibatchCKA(x, y, { batchSize: options.batchSize }),
  }),
});
