import { z } from 'zod';
import { defineCriterion, type SimilarityMetric } from '@omniprune/core';
import { debiasedLinearCKA, linearCKA } from './linear-cka.js';
import { createMinibatchCKA, minibatchCKA } from './minibatch-cka.js';
import { rbfCKA } from './rbf-cka.js';

/** `linear-cka`: linear CKA, the paper's selection metric. */
export const linearCkaPlugin = defineCriterion({
  name: 'linear-cka', role: 'similarity',
  description: 'Linear CKA (Kornblith et al. 2019), biased HSIC, feature space: the paper\'s selection metric',
  options: z.strictObject({}),
  create: (): SimilarityMetric => ({ role: 'similarity', name: 'linear-cka', similarity: linearCKA }),
});

/** `debiased-linear-cka`: linear CKA with the unbiased HSIC estimator. */
export const debiasedLinearCkaPlugin = defineCriterion({
  name: 'debiased-linear-cka', role: 'similarity',
  description: 'Linear CKA with the unbiased HSIC estimator (Song et al. 2012)',
  options: z.strictObject({}),
  create: (): SimilarityMetric => ({ role: 'similarity', name: 'debiased-linear-cka', similarity: debiasedLinearCKA }),
});

/** `rbf-cka`: CKA with RBF kernels; `threshold` scales the bandwidth. */
export const rbfCkaPlugin = defineCriterion({
  name: 'rbf-cka', role: 'similarity',
  description: 'CKA with RBF kernels, sigma = threshold x sqrt(median squared distance); O(n^2) memory',
  options: z.strictObject({ threshold: z.number().positive().default(1) }),
  create: (o): SimilarityMetric => ({ role: 'similarity', name: 'rbf-cka', similarity: (x, y) => rbfCKA(x, y, o) }),
});

/** `minibatch-cka`: streaming minibatch CKA for large sample sets. */
export const minibatchCkaPlugin = defineCriterion({
  name: 'minibatch-cka', role: 'similarity',
  description: 'Minibatch CKA (Nguyen et al. 2021): unbiased HSIC averaged over batches; scales to 50k samples',
  options: z.strictObject({ batchSize: z.number().int().min(4).default(1000) }),
  create: (o): SimilarityMetric => ({ role: 'similarity', name: 'minibatch-cka', similarity: (x, y) => minibatchCKA(x, y, o), accumulator: createMinibatchCKA }),
});
