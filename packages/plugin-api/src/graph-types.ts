import type * as tfl from '@tensorflow/tfjs-layers';

/** One channel of one channel space. A tensor's last axis is described by a list of these (its layout). */
export interface ChannelRef {
  readonly space: number;
  readonly ch: number;
}

/** The channels along a tensor's last axis, position by position. */
export type Layout = readonly ChannelRef[];

/** A set of channels created by one layer (or a model input), before coupling. */
export interface ChannelSpace {
  readonly id: number;
  readonly size: number;
  /** Layer whose output created the space; null for channels of no pruned origin. */
  readonly producer: string | null;
}

/**
 * The channel spaces of a graph and how they are coupled (union-find): spaces tied by residual adds share a
 * representative. Read-only view of core's implementation.
 */
export interface ChannelSpaceIndex {
  readonly spaces: readonly ChannelSpace[];
  /** Representative of a space's class: two spaces are the same channels when their representatives are equal. */
  find(id: number): number;
  /** Why the class of `id` is never pruned, or undefined. */
  frozenReason(id: number): string | undefined;
  /** Why removal in the class of `id` is not exactly masking, or undefined. */
  inexactReason(id: number): string | undefined;
}

/** How a layer relates the channels (last axis) of its input to those of its output. */
export type ChannelRole =
  /** Reads its input channels and creates a new channel space (Conv2D, Dense). */
  | 'producer'
  /** Output channels are the input channels, unchanged in number and order (BN, ReLU, pooling, ...). */
  | 'passthrough'
  /** Ties input channels position by position (Add, Multiply, ...). */
  | 'merge'
  /** Concatenates its inputs along the channel axis. */
  | 'concat'
  /** Flattens spatial positions and channels into one axis. */
  | 'flatten'
  /** Reshape: passthrough when the last axis is preserved, flatten when the target is 1-D. */
  | 'reshape'
  /** A model input. */
  | 'source';

/** Which axes of one weight follow the channels. */
export interface WeightAxes {
  /** Axis indexed by the layer's input channels (producers and passthrough layers). */
  in?: number;
  /** Axis indexed by the channels the layer produces (producers) or passes through. */
  out?: number;
}

/**
 * What a plugin may read of the layer table entry of a graph layer (`GraphLayer.adapter`): its channel role, the
 * weights whose axes follow the channels, the config key of a producer's width. The host's entries carry more
 * (see {@link HostTypes}).
 */
export interface LayerAdapterView {
  readonly role: ChannelRole;
  /** Weight short name (e.g. `kernel`, `moving_mean`) -> axes to slice. Weights not listed are copied whole. */
  readonly weights?: Readonly<Record<string, WeightAxes>>;
  /** Config key holding the number of output channels (producers). */
  readonly sizeKey?: string;
  /** True when the layer mixes channels (LayerNorm, softmax): removing a channel is not equal to masking it. */
  readonly couplesChannels?: boolean;
}

/**
 * The host's own types behind two fields of the graph, filled in by module augmentation: omniprune core declares
 * `declare module '@omniprune/plugin-api' { interface HostTypes { layerAdapter: LayerAdapter; channelSpaces: ChannelSpaces } }`.
 * A program that includes core sees core's types there; a plugin compiled against this package alone sees
 * {@link LayerAdapterView} and {@link ChannelSpaceIndex}, which core's types extend.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by core through declaration merging
export interface HostTypes {}

/** The type of `GraphLayer.adapter`: the host's layer-table entry, at least a {@link LayerAdapterView}. */
export type GraphLayerAdapter = HostTypes extends { readonly layerAdapter: infer A extends LayerAdapterView } ? A : LayerAdapterView;

/** The type of `DependencyGraph.spaces`: the host's channel spaces, at least a {@link ChannelSpaceIndex}. */
export type GraphChannelSpaces = HostTypes extends { readonly channelSpaces: infer S extends ChannelSpaceIndex } ? S : ChannelSpaceIndex;

/** One inbound reference in Keras JSON: `[layerName, nodeIndex, tensorIndex, kwargs]`. */
export type InboundRef = [string, number, number, Record<string, unknown>];

/** One layer entry of a functional model's Keras-style JSON (`model.toJSON(null, false)`). */
export interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: InboundRef[][];
}

/** The topology of a functional model as Keras-style JSON. */
export interface ModelJson {
  class_name: string;
  config: {
    name: string;
    layers: LayerJson[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
  [key: string]: unknown;
}

/** A layer of the dependency graph with its channel layouts. */
export interface GraphLayer {
  readonly name: string;
  readonly className: string;
  readonly config: Record<string, unknown>;
  /** Adapter from the layer table; undefined for unknown classes. */
  readonly adapter?: GraphLayerAdapter;
  readonly inbound: string[];
  readonly consumers: string[];
  /** Output shape without the batch axis. */
  readonly outputShape: number[];
  /** Layout of the (first) input's channel axis; empty for inputs. */
  readonly inLayout: Layout;
  /** Layout of the output's channel axis. */
  readonly outLayout: Layout;
  /** Space created by this layer (producers and sources). */
  readonly producedSpace?: number;
}

/** Coupled channels that must be pruned together: one index removes the same channel everywhere. */
export interface ChannelGroup {
  /** Stable id: the first producing layer's name (e.g. `s1_b0_conv1`). */
  readonly id: string;
  /** Number of channels. */
  readonly size: number;
  /** Space ids in this group. */
  readonly spaces: readonly number[];
  /** Layers whose outputs are these channels (out-axis weights sliced). */
  readonly producers: readonly string[];
  /** Layers reading these channels through weights (in-axis weights sliced). */
  readonly consumers: readonly string[];
  /** Channel-wise layers the channels pass through (e.g. BN), in order. */
  readonly passthrough: readonly string[];
  /** True when any residual add ties more than one producer. */
  readonly residual: boolean;
  /** Why this group can't be pruned; undefined when it can. */
  readonly frozenReason?: string;
  /** Why removing channels here differs from masking them (LayerNorm, softmax); undefined when exact. */
  readonly inexactReason?: string;
}

/** A residual block: `add(shortcut, branch(shortcut))`. */
export interface ResidualBlock {
  /** Stable id: the name of the block's Add layer. */
  readonly id: string;
  /** Position among all residual blocks of the model (0 = first). */
  readonly index: number;
  /** Layer whose output is the shortcut input (identity blocks) or the block input (projection blocks). */
  readonly input: string;
  /** Layers of the residual branch, in order (empty for projection blocks). */
  readonly branch: readonly string[];
  /** True when the shortcut is the identity (input and output shapes match). */
  readonly identity: boolean;
  /** Channel group of the block's output: blocks sharing it form a stage. */
  readonly stage: string;
  /** Index of the block within its stage. */
  readonly indexInStage: number;
  /** Why the engine can't remove it; undefined when it can. */
  readonly unremovableReason?: string;
}

/** The model's dependency graph, channel groups and residual blocks (`services.graph.build(model)`). */
export interface DependencyGraph {
  readonly json: ModelJson;
  readonly order: readonly string[];
  readonly layers: ReadonlyMap<string, GraphLayer>;
  readonly spaces: GraphChannelSpaces;
  readonly groups: readonly ChannelGroup[];
  readonly blocks: readonly ResidualBlock[];
  /** Layers the engine does not know or cannot prune, one message each. */
  readonly warnings: readonly string[];
}

/** A weight variable of a TF.js layer. */
export type LayerVariable = tfl.layers.Layer['weights'][number];

/** A producer kernel of a channel group: its output axis runs over the group's channels. */
export interface GroupKernel {
  readonly layer: string;
  readonly weight: LayerVariable;
  /** Non-negative index of the output-channel axis in `weight.shape`. */
  readonly outAxis: number;
}

/** One multi-head self-attention layer of a model: its head count and head width. */
export interface AttentionLayer {
  readonly layer: string;
  readonly numHeads: number;
  readonly headDim: number;
}

/** Undo a mask: puts back the original weights. */
export type RestoreWeights = () => void;
