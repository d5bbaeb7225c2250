import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Features, ImageDataset } from './data-types.js';
import type { AttentionLayer, ChannelGroup, DependencyGraph, GroupKernel, RestoreWeights } from './graph-types.js';
import type { PrunePlan } from './prune-plan.js';
import type { InferenceRunner, ProposeContext } from './prune-types.js';

/** FLOPs and parameters of one layer. */
export interface LayerCost {
  readonly name: string;
  readonly className: string;
  /** Output shape without the batch axis. */
  readonly outputShape: readonly number[];
  /** Multiply-accumulates of one forward pass on one sample. */
  readonly flops: number;
  /** Trainable + non-trainable parameters. */
  readonly params: number;
}

/** FLOPs and parameters of a model. */
export interface ModelCost {
  /** Multiply-accumulates of conv, dense and attention layers, one sample (the pruning literature's "FLOPs"). */
  readonly flops: number;
  /** All parameters, including batch-norm statistics. */
  readonly params: number;
  /** Trainable parameters only. */
  readonly trainableParams: number;
  readonly layers: readonly LayerCost[];
}

/** A classifier run as a differentiable function (`services.model.classifier`): for gradients w.r.t. the input. */
export interface ClassifierForward {
  /** True when {@link ClassifierForward.forward} returns logits, false when it returns probabilities. */
  readonly fromLogits: boolean;
  readonly numClasses: number;
  /** `[batch, numClasses]` logits (or probabilities) of a `[batch, h, w, c]` input, inference mode; differentiable. */
  forward(x: tf.Tensor4D): tf.Tensor2D;
  /** Per-sample cross-entropy of this classifier's outputs against int32 labels; differentiable. */
  crossEntropy(output: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D;
}

/** Options of the prediction helpers (`services.model.predictLogits`). */
export interface PredictOptions {
  /** Batch size. Default 128. */
  batchSize?: number;
}

/** What a masked-scoring pass reads of the model: its logits, or the (flattened) outputs of one layer. */
export type MaskedReadout = { readonly kind: 'logits' } | { readonly kind: 'features'; readonly layer: string };

/**
 * How far the masked model's readout is from the parent's, on the same images (rows): higher = the masked
 * structure matters more. `parent` is the unmasked model's readout (logits: `cols` = classes).
 */
export type MaskedMeasure = (parent: Features, masked: Features) => number;

/** A masked-scoring request (`services.scoring.scoreMasked`). */
export interface MaskedScoring {
  /** Training images per class scored on: the proposal's scoring sample (`services.scoring.sample`). */
  readonly samplesPerClass: number;
  /**
   * The structures to score, each masked alone in turn, as the plans that would remove them (`remove-block`,
   * `remove-channels`, `remove-heads`); masked in place on `pc.parent` (zeroed or bypassed), never applied.
   */
  readonly masks: readonly PrunePlan[];
  /** What is compared. */
  readonly readout: MaskedReadout;
  /** Score of one structure from the parent's and the masked model's readouts. */
  readonly measure: MaskedMeasure;
  /** Forward-pass batch size. Default: the runner's (256). */
  readonly batchSize?: number;
}

/**
 * Core services handed to every plugin as `ctx.services`. Plugins should use these (and `services.tf`) rather
 * than their own copies of `@omniprune/core` or TensorFlow.js, so tensors and models come from the host's
 * single TensorFlow.js engine. Part of the plugin API: fields are only added within one `PLUGIN_API_VERSION`.
 * @example
 * const graph = ctx.services.graph.build(model);
 * const rows = await ctx.services.graph.groupFilterRows(model, graph, graph.groups[0]);
 */
export interface CoreServices {
  /** The host's TensorFlow.js core (ops, tidy, memory). */
  readonly tf: typeof tf;
  /** Model graph: channel groups, blocks, plans. */
  readonly graph: {
    /** The dependency graph of a functional model: channel groups, residual blocks, warnings for unknown layers. */
    readonly build: (model: tfl.LayersModel) => DependencyGraph;
    /** A new model with the plans applied in order (the input model is left as it is). */
    readonly applyPlans: (model: tfl.LayersModel, plans: readonly PrunePlan[]) => Promise<tfl.LayersModel>;
    /** Zero every weight reading channels `indices` of group `groupId`, in place; returns the undo. */
    readonly maskChannels: (model: tfl.LayersModel, graph: DependencyGraph, groupId: string, indices: readonly number[]) => RestoreWeights;
    /** Make residual block `blockId` the identity, in place; returns the undo. */
    readonly bypassBlock: (model: tfl.LayersModel, graph: DependencyGraph, blockId: string) => RestoreWeights;
    /** Zero heads `heads` of attention layer `layerName`, in place; returns the undo. */
    readonly maskHeads: (model: tfl.LayersModel, graph: DependencyGraph, layerName: string, heads: readonly number[]) => RestoreWeights;
    /** The attention layers whose heads can be removed, in graph order. */
    readonly attentionLayers: (graph: DependencyGraph) => AttentionLayer[];
    /** The kernels producing a group's channels (several for a residual group). */
    readonly groupKernels: (model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup) => GroupKernel[];
    /** Every producer kernel of the group as filter rows: `rows[c]` = the weights of output channel `c`. */
    readonly groupFilterRows: (model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup) => Promise<{ layer: string; rows: Float32Array[] }[]>;
    /** Split a row-major tensor's values into one row per index of `axis`. */
    readonly rowsAlong: (values: Float32Array, shape: readonly number[], axis: number) => Float32Array[];
  };
  /** Activation capture at any layer. */
  readonly capture: {
    /** Outputs of `layerName` for every sample of `ds`, flattened per sample (batch size default 256). */
    readonly features: (model: tfl.LayersModel, layerName: string, ds: ImageDataset, batchSize?: number) => Promise<Features>;
    /** The input of the classifier (e.g. `gap` for the zoo's models). */
    readonly penultimateLayer: (model: tfl.LayersModel) => string;
  };
  /** FLOPs (multiply-accumulates) and parameters. */
  readonly metrics: { readonly cost: (model: tfl.LayersModel) => ModelCost };
  /** Forward passes, gradients and data sampling. */
  readonly model: {
    /** Logits (or log of clipped probabilities), `[ds.count, numClasses]` row-major. */
    readonly predictLogits: (model: tfl.LayersModel, ds: ImageDataset, options?: PredictOptions) => Promise<Float32Array>;
    /** Mean cross-entropy and accuracy on `ds`, gradient-free. */
    readonly evaluate: (model: tfl.LayersModel, ds: ImageDataset, options?: { batchSize?: number }) => Promise<{ loss: number; accuracy: number }>;
    /** Mean loss gradient per trainable weight (by variable name) over `ds`. */
    readonly lossGradients: (model: tfl.LayersModel, ds: ImageDataset, options?: { batchSize?: number }) => Promise<Map<string, Float32Array>>;
    /** The model as a differentiable classifier (its logits when it has them), as the trainer runs it. */
    readonly classifier: (model: tfl.LayersModel) => ClassifierForward;
    /** `samplesPerClass` images of each class, drawn with `seed`. */
    readonly stratifiedSample: (train: ImageDataset, samplesPerClass: number, seed: number) => ImageDataset;
  };
  /**
   * Data-driven importance by masking: each structure masked alone in place, a forward pass on the run's inference
   * runner, the readout compared with the parent's. Used by `block-kl`, `block-cka`, `kl`, `head-output`, `head-cka`.
   */
  readonly scoring: {
    /**
     * One score per entry of `scoring.masks`, in order: `measure(parent readout, readout with that structure masked)`
     * on the proposal's scoring sample, forward passes on `inference.runnerOf(pc)`. The sample and the parent's
     * readout are computed once per proposal (per `pc`, sample size, readout and batch size) and shared by every
     * call; each mask is undone in a `finally`, so a throwing forward pass or measure leaves the weights as they
     * were. Masks are in place: concurrent calls on one model run one after the other.
     */
    readonly scoreMasked: (pc: ProposeContext, scoring: MaskedScoring) => Promise<number[]>;
    /** `samplesPerClass` training images per class (`model.stratifiedSample`), drawn from `pc.rng` once per proposal. */
    readonly sample: (pc: ProposeContext, samplesPerClass: number) => ImageDataset;
    /** Measure on logits: mean over rows of `KL(softmax(masked) || softmax(parent))` (Luo & Wu 2020), never negative. */
    readonly predictionKl: MaskedMeasure;
  };
  /** Inference runners: where forward-only work runs. */
  readonly inference: {
    /** The run's runner (`ctx.runner` of a `ProposeContext`), or TF.js when the context has none. */
    readonly runnerOf: (ctx: { readonly runner?: InferenceRunner }) => InferenceRunner;
  };
}
