import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import type { ChannelGroup, DependencyGraph } from '../graph/dependency-graph.js';
import type { PrunePlan } from '../graph/prune-plan.js';
import type { ResidualBlock } from '../graph/residual-blocks.js';
import type { Rng } from '../util/rng.js';
import type { InferenceRunner } from './inference-runner.js';

/** A pruned child of the parent, described by plans (not yet applied). */
export interface PruneCandidate {
  /** Structure kind, used for tie-breaking and reports: `layer`, `filter`, `head`, or a plugin's own. */
  readonly kind: string;
  /** Name of the pruner plugin that proposed it. */
  readonly pruner: string;
  /** Plans that turn the parent into the candidate, applied in order. */
  readonly plans: readonly PrunePlan[];
  /** Filters/neurons/heads removed, the unit other pruners match budgets against. */
  readonly removedUnits: number;
  /** One line for humans, e.g. `remove block s2_b3_add (32 filters)`. */
  readonly summary: string;
}

/** What a pruner sees when asked for a candidate. */
export interface ProposeContext {
  readonly parent: tfl.LayersModel;
  readonly graph: DependencyGraph;
  /** 1-based iteration number. */
  readonly iteration: number;
  /** Seeded per iteration and pruner: the same run proposes the same candidates. */
  readonly rng: Rng;
  /** Normalised training data, for data-driven importance scores. */
  readonly train: ImageDataset;
  /** Candidates proposed earlier in this iteration by other pruners (budget matching reads them). */
  readonly earlier: readonly PruneCandidate[];
  /**
   * Where data-driven criteria run their forward passes (the run's inference runner). Absent in hand-built
   * contexts; read it with `runnerOf(ctx)`, which falls back to TF.js.
   */
  readonly runner?: InferenceRunner;
  log(message: string): void;
}

/**
 * Proposes one candidate per iteration, or null when it has nothing left to remove.
 * @example
 * const candidate = await pruner.propose(ctx); // { kind: 'layer', plans: [{ kind: 'remove-block', block: 's1_b2_add' }], ... }
 */
export interface Pruner {
  readonly kind: string;
  propose(ctx: ProposeContext): Promise<PruneCandidate | null>;
}

/** Scores residual blocks; a higher score means more important (kept longer). */
export interface BlockImportance {
  readonly role: 'block-importance';
  readonly name: string;
  scoreBlocks(ctx: ProposeContext, blocks: readonly ResidualBlock[]): Promise<number[]>;
}

/** Scores the channels of a group; a higher score means more important (kept longer). */
export interface ChannelImportance {
  readonly role: 'channel-importance';
  readonly name: string;
  scoreChannels(ctx: ProposeContext, group: ChannelGroup): Promise<Float32Array>;
}

/** Scores the heads of one attention layer; a higher score means more important (kept longer). */
export interface HeadImportance {
  readonly role: 'head-importance';
  readonly name: string;
  scoreHeads(ctx: ProposeContext, layer: import('../graph/remove-heads.js').AttentionLayer): Promise<Float32Array>;
}

/**
 * What a criterion plugin creates: a similarity metric (compares representations, selects candidates) or an
 * importance score (ranks blocks, channels or heads inside a pruner). The plugin's `role` says which.
 */
export type Criterion = import('./criterion-types.js').SimilarityMetric | BlockImportance | ChannelImportance | HeadImportance;
