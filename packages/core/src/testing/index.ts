/**
 * @omniprune/core/testing: the helpers every omniprune package's tests share, defined once. Imports `vitest`
 * (an optional peer dependency of core), so it is a subpath of its own: core's main entry never loads it.
 * @example
 * import { expectNoLeaks, proposeContext, syntheticDataset, useCpu } from '@omniprune/core/testing';
 * beforeAll(useCpu);
 */
export { useCpu, useWasm } from './use-backend.js';
export { expectNoLeaks } from './expect-no-leaks.js';
export { expectClose, predictValues } from './compare.js';
export { randomImages, syntheticDataset } from './synthetic-data.js';
export type { SyntheticDatasetOptions } from './synthetic-data.js';
export { TINY_MODELS, mlp, convBnChain, residual, concatenate, depthwise, separable, smallVit, randomizeWeights } from './tiny-models.js';
export { mlpClassifier, convBnClassifier } from './classifiers.js';
export type { MlpClassifierOptions } from './classifiers.js';
export { proposeContext } from './propose-context.js';
export type { ProposeContextOptions } from './propose-context.js';
export { gaussianMatrix, matmul, randomOrthogonal } from './matrices.js';
export { idxBytes, idxPixel, writeFileDeep, writeIdxDataset } from './idx-files.js';
export {
  firstBlockPruner,
  twoChannelPruner,
  layerSizedPruner,
  negMse,
  constantSimilarity,
  testContainer,
  tinyDataset,
  tinyPipeline,
} from './pipeline-fixtures.js';
