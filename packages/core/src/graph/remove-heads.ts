import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { DependencyGraph } from './dependency-graph.js';
import type { RemoveHeadsPlan } from './prune-plan.js';

/** Remove attention heads. Not implemented yet: the head group lands with the attention-heads work. */
export async function removeHeads(_model: tfl.LayersModel, _graph: DependencyGraph, plan: RemoveHeadsPlan): Promise<tfl.LayersModel> {
  throw new OmnipruneError('E_UNPRUNABLE', `removing heads of "${plan.layer}" is not supported yet`, {
    hint: 'head pruning is planned in @omniprune/pruner-head; prune channels or blocks instead',
  });
}
