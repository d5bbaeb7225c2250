/** @omniprune/pruner-layer: residual-block (layer) candidates and block-importance criteria. */
import { layerPruner } from './layer-pruner.js';
import { blockCriteria } from './criteria/index.js';

export { layerPruner, layerPrunerOptions } from './layer-pruner.js';
export { removableBlocks, unitsInBlock } from './removable-blocks.js';
export type { BlockConstraints } from './removable-blocks.js';
export { layerStopRules, minBlocksRule, noLayerCandidateRule, layerCeilingRule, blocksPerStage } from './stop-rules.js';
export type { LayerStop } from './stop-rules.js';
export {
  klBlockCriterion,
  klBlockScores,
  ckaDropBlockCriterion,
  ckaDropScores,
  l1BlockCriterion,
  l1BlockScore,
  randomBlockCriterion,
  blockInfluenceCriterion,
  blockAngularCriterion,
  lastBlockCriterion,
  blockChangeOptions,
  blockCriteria,
} from './criteria/index.js';

/** The pruner plugin of this package. */
export const plugin = layerPruner;
/** Block-importance criterion plugins. */
export const criteria = blockCriteria;
/** Every plugin of this package, for registration. */
export const plugins = [layerPruner, ...criteria];
