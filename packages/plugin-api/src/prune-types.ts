import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Features, ImageDataset, Rng } from './data-types.js';
import type { MaskedReadout } from './core-services.js';
import type { AttentionLayer, ChannelGroup, DependencyGraph, ResidualBlock, RestoreWeights } from './graph-types.js';
import type { PrunePlan } from './prune-plan.js';

/**
 * The kind of structure a pruner removes, a kebab-case name the pruner declares: the built-ins are `layer` (residual
 * blocks), `filter` (filters/neurons) and `head` (attention heads); a third-party pruner may add its own (`expert`,
 * `token`). Pipelines order kinds for ties (`ties: [head, layer, filter]`) and reports group candidates by it.
 */
export type StructureKind = string;

/** A pruned child of the parent, described by plans (not yet applied). */
export interface PruneCandidate {
  /** Structure kind, used for tie-breaking, budgets and reports. */
  readonly kind: StructureKind;
  /** Name of the pruner plugin that proposed it. */
  readonly pruner: string;
  /** Plans that turn the parent into the candidate, applied in order. */
  readonly plans: readonly PrunePlan[];
  /** Filters/neurons/heads removed, the unit other pruners match budgets against. */
  readonly removedUnits: number;
  /** One line for humans, e.g. `remove block s2_b3_add (32 filters)`. */
  readonly summary: string;
}

/**
 * Where forward-only work runs: activation capture for the similarity metric, evaluation, and the data-driven
 * importance criteria, which read it from `ProposeContext.runner`. Training always runs on the TF.js compute
 * backend. Every call sees the model's weights as they are at that moment (criteria mask weights in place between
 * calls).
 */
export interface InferenceRunner {
  /** Name recorded in logs, e.g. `tfjs`, `onnxruntime`. */
  readonly name: string;
  /** Outputs of layer `layer` for every image of `ds`, flattened per image (TF.js layout). Batch size default 256. */
  capture(model: tfl.LayersModel, layer: string, ds: ImageDataset, batchSize?: number): Promise<Features>;
  /** Mean cross-entropy and accuracy on `ds`, as core's `evaluateClassifier` computes them. */
  evaluate(model: tfl.LayersModel, ds: ImageDataset): Promise<{ loss: number; accuracy: number }>;
  /**
   * Log-probabilities up to a per-row constant, `[ds.count, classes]` row-major, as core's `predictLogits` computes
   * them: the logits core's `classifierOutput` finds, else `log` of its clipped probabilities.
   */
  predictLogits(model: tfl.LayersModel, ds: ImageDataset, batchSize?: number): Promise<Float32Array>;
  /**
   * Optional: the readout of `model` on `ds` with each of `masks` applied alone (a mask applies itself to the model in
   * place and returns its undo), as `capture` / `predictLogits` would read it masked, but in one session for all of
   * them. Core's masked scoring uses it when present, else masks and reads one at a time.
   */
  readMasked?(
    model: tfl.LayersModel,
    masks: readonly (() => RestoreWeights)[],
    readout: MaskedReadout,
    ds: ImageDataset,
    batchSize?: number,
  ): Promise<Features[]>;
  /**
   * Optional: `model` ready to be timed on this runner in its deployment form (a fixed seeded input of `shape` per
   * batch size, one session kept until `dispose`). Latency measurements (the `latency` evaluator, the filter pruner's
   * `latency` budget) use it; core's `timedModelOn(runner, model, shape, seed)` falls back to TF.js.
   */
  timed?(model: tfl.LayersModel, shape: readonly number[], seed: number): Promise<TimedModel>;
}

/** A model ready to be timed on one runner: one forward pass of a fixed input per call. */
export interface TimedModel {
  /** A forward pass of a fixed `batch`-image input (made once per batch size, the same numbers for every model compared). */
  pass(batch: number): () => Promise<void>;
  dispose(): Promise<void>;
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
   * contexts; read it with `services.inference.runnerOf(ctx)` (core: `runnerOf(ctx)`), which falls back to TF.js.
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
  readonly kind: StructureKind;
  /**
   * The kind whose candidate this pruner sizes its own by (a `match-layer` filter budget: `layer`); the orchestrator
   * asks such pruners after the others, whatever their order in the pipeline.
   */
  readonly sizedBy?: StructureKind;
  propose(ctx: ProposeContext): Promise<PruneCandidate | null>;
}

/** Two representations of the same samples: `n x p` and `n x q` (rows are samples). */
export type Representation = tf.Tensor2D | number[][];

/**
 * A similarity metric between two representations of the same samples (higher = more similar).
 * Used to choose between candidates: the candidate most similar to its parent wins.
 * @example
 * const s = metric.similarity(parentFeatures, candidateFeatures); // e.g. linear CKA in [0, 1]
 */
export interface SimilarityMetric {
  readonly role: 'similarity';
  /** Name as registered, e.g. `linear-cka`. */
  readonly name: string;
  similarity(x: Representation, y: Representation): number;
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
  scoreHeads(ctx: ProposeContext, layer: AttentionLayer): Promise<Float32Array>;
}

/**
 * What a criterion plugin creates: a similarity metric (compares representations, selects candidates) or an
 * importance score (ranks blocks, channels or heads inside a pruner). The plugin's `role` says which.
 */
export type Criterion = SimilarityMetric | BlockImportance | ChannelImportance | HeadImportance;

/**
 * Memoise `compute` per proposal: every call with the same `ProposeContext` (one pruner, one iteration) returns the
 * first call's value, so a criterion scoring many groups or layers draws its sample and runs the parent once.
 * @example
 * const gradientsFor = perProposal((pc) => services.model.lossGradients(pc.parent, services.scoring.sample(pc, 20)));
 */
export function perProposal<T>(compute: (ctx: ProposeContext) => T): (ctx: ProposeContext) => T {
  const values = new WeakMap<ProposeContext, { value: T }>();
  return (ctx) => {
    let entry = values.get(ctx);
    if (!entry) {
      entry = { value: compute(ctx) };
      values.set(ctx, entry);
    }
    return entry.value;
  };
}
