export {
  weightNormScores,
  l1ChannelScores,
  l2ChannelScores,
  bnScaleChannelScores,
  l1Criterion,
  l2Criterion,
  bnScaleCriterion,
} from './weight-norms.js';
export type { WeightNorm } from './weight-norms.js';
export { klCriterion, klCriterionOptions, klChannelScores, channelMasks } from './kl.js';
export type { KlCriterionOptions } from './kl.js';
export { randomCriterion, randomChannelScores } from './random.js';
