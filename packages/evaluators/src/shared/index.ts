/** Helpers shared by the evaluators: raw pixel space, seeded subsets, derived seeds. */
export { toRawPixels, toNormalizedDataset, rawPixelsTensor, normalizedTensor } from './pixel-space.js';
export type { PixelSpace } from './pixel-space.js';
export { evaluationSubset } from './subset.js';
export { deriveSeed } from './seeds.js';
