/** The `corruption` evaluator: a seeded common-corruption suite and mCE (Hendrycks & Dietterich 2019). */
export { corruptionEvaluator, evaluateCorruption } from './corruption-evaluator.js';
export { corruptionOptions, corruptionDetailsSchema } from './corruption-options.js';
export type { CorruptionOptions, CorruptionOptionsInput, CorruptionDetails } from './corruption-options.js';
export { corruptImages, CORRUPTION_NAMES, MAX_SEVERITY } from './corrupt.js';
export type { CorruptionName, CorruptOptions, UnitCorruption } from './corrupt.js';
export { corruptionErrorRates } from './corruption-error.js';
export type { CorruptionErrors, CorruptionErrorRates } from './corruption-error.js';
export { gaussianNoise, shotNoise, impulseNoise } from './noise.js';
export { defocusBlur, motionBlur } from './blur.js';
export { brightness, contrast } from './photometric.js';
export { rotation, shear, scale, translation } from './geometric.js';
export { stripe, fog, lowFrequencyNoise } from './occlusion.js';
export type { ImageShape } from './image-ops.js';
