export {
  weightNormScores, l1ChannelScores, l2ChannelScores, bnScaleChannelScores, l1Criterion, l2Criterion, bnScaleCriterion,
} from './weight-norms.js';
export type { WeightNorm } from './weight-norms.js';
export {
  klCriterion, klCriterionOptions, klChannelScores, klReference,
} from './kl.js';
export type { KlCriterionOptions, KlPredict, KlReference } from './kl.js';
export { randomCriterion, randomChannelScores } from './random.js';
