/** @omniprune/criteria-cka: CKA similarity metrics between two representations, and their plugins. */
import { debiasedLinearCkaPlugin, linearCkaPlugin, minibatchCkaPlugin, rbfCkaPlugin } from './plugins.js';

export { linearCKA, debiasedLinearCKA, DEGENERATE_CKA } from './linear-cka.js';
export { rbfCKA, rbfGram, centerGram } from './rbf-cka.js';
export type { RbfCkaOptions } from './rbf-cka.js';
export { minibatchCKA, createMinibatchCKA, unbiasedHsic } from './minibatch-cka.js';
export type { MinibatchCkaOptions } from './minibatch-cka.js';
export { linearCkaPlugin, debiasedLinearCkaPlugin, rbfCkaPlugin, minibatchCkaPlugin } from './plugins.js';

/** Every plugin of this package, for registration. */
export const plugins = [linearCkaPlugin, debiasedLinearCkaPlugin, rbfCkaPlugin, minibatchCkaPlugin];
