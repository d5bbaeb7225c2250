/** @omniprune/criteria-cka: CKA similarity metrics between two representations, and their criterion plugins. */
import { debiasedLinearCkaPlugin, linearCkaPlugin, minibatchCkaPlugin, rbfCkaPlugin } from './plugins.js';

export { linearCKA, debiasedLinearCKA } from './linear-cka.js';
export { linearCkaDistance } from './cka-distance.js';
export { rbfCKA } from './rbf-cka.js';
export type { RbfCkaOptions } from './rbf-cka.js';
export { minibatchCKA, createMinibatchCKA } from './minibatch-cka.js';
export type { MinibatchCkaOptions, MinibatchCkaAccumulator } from './minibatch-cka.js';
export { DEGENERATE_CKA } from './cka-ratio.js';
export { readPair, badInput } from './representation.js';
export type { FeatureMatrix } from './representation.js';
export { linearCkaPlugin, debiasedLinearCkaPlugin, rbfCkaPlugin, minibatchCkaPlugin } from './plugins.js';

/**
 * Every plugin of this package, for registration (`criterion:linear-cka`, `criterion:debiased-linear-cka`,
 * `criterion:rbf-cka`, `criterion:minibatch-cka`).
 * @example
 * for (const p of plugins) registerPlugin(container, p, '@omniprune/criteria-cka');
 */
export const plugins = [linearCkaPlugin, debiasedLinearCkaPlugin, rbfCkaPlugin, minibatchCkaPlugin];
