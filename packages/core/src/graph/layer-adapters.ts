/**
 * All per-layer-class knowledge of the engine, in one typed table.
 * A layer class missing here is unknown: the channels it touches are frozen (never pruned) with a warning.
 */

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

/** What the engine knows about one layer class. */
export interface LayerAdapter {
  readonly role: ChannelRole;
  /** Weight short name (e.g. `kernel`, `moving_mean`) -> axes to slice. Weights not listed are copied whole. */
  readonly weights?: Readonly<Record<string, WeightAxes>>;
  /** Config key holding the number of output channels (producers). */
  readonly sizeKey?: string;
  /** True when the layer mixes channels (LayerNorm, softmax): removing a channel is not equal to masking it. */
  readonly couplesChannels?: boolean;
  /** Why a layer of this class cannot take part in channel pruning in this configuration (null: it can). */
  readonly unsupported?: (config: Record<string, unknown>, inputRank: number) => string | null;
}

/** True when a normalisation `axis` config (number or one-element list) names the last axis of a rank-`rank` input. */
function isChannelAxis(axis: unknown, rank: number): boolean {
  const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : null) : axis;
  return a === -1 || a === rank - 1;
}

const PASS: LayerAdapter = { role: 'passthrough' };
const MERGE: LayerAdapter = { role: 'merge' };
const PER_CHANNEL_BN: LayerAdapter = {
  role: 'passthrough',
  weights: { gamma: { out: 0 }, beta: { out: 0 }, moving_mean: { out: 0 }, moving_variance: { out: 0 } },
  unsupported: (c, rank) => (isChannelAxis(c.axis, rank) ? null : `normalises axis ${JSON.stringify(c.axis)}, not the channel axis`),
};
const LAYER_NORM: LayerAdapter = {
  role: 'passthrough',
  weights: { gamma: { out: 0 }, beta: { out: 0 } },
  couplesChannels: true,
  unsupported: (c, rank) => (isChannelAxis(c.axis, rank) ? null : `normalises axis ${JSON.stringify(c.axis)}, not the channel axis`),
};

/** The adapter table: Keras/TF.js layer class name -> adapter. */
export const LAYER_ADAPTERS: Readonly<Record<string, LayerAdapter>> = {
  InputLayer: { role: 'source' },
  Conv2D: {
    role: 'producer',
    sizeKey: 'filters',
    weights: { kernel: { in: 2, out: 3 }, bias: { out: 0 } },
    unsupported: (c) => (c.data_format && c.data_format !== 'channels_last' ? 'channels_first data format' : null),
  },
  Conv1D: { role: 'producer', sizeKey: 'filters', weights: { kernel: { in: 1, out: 2 }, bias: { out: 0 } } },
  Dense: { role: 'producer', sizeKey: 'units', weights: { kernel: { in: 0, out: 1 }, bias: { out: 0 } } },
  DepthwiseConv2D: {
    role: 'passthrough',
    weights: { depthwise_kernel: { out: 2 }, bias: { out: 0 } },
    unsupported: (c) => ((c.depth_multiplier ?? 1) === 1 ? null : `depth_multiplier ${String(c.depth_multiplier)} (only 1 is supported)`),
  },
  BatchNormalization: PER_CHANNEL_BN,
  LayerNormalization: LAYER_NORM,
  Activation: { role: 'passthrough', couplesChannels: false },
  ReLU: PASS,
  LeakyReLU: PASS,
  ELU: PASS,
  PReLU: { role: 'passthrough', weights: { alpha: { out: -1 } } },
  Softmax: { role: 'passthrough', couplesChannels: true },
  Dropout: PASS,
  SpatialDropout2D: PASS,
  GaussianNoise: PASS,
  MaxPooling2D: PASS,
  AveragePooling2D: PASS,
  MaxPooling1D: PASS,
  AveragePooling1D: PASS,
  GlobalAveragePooling2D: PASS,
  GlobalMaxPooling2D: PASS,
  GlobalAveragePooling1D: PASS,
  GlobalMaxPooling1D: PASS,
  ZeroPadding2D: PASS,
  Cropping2D: PASS,
  UpSampling2D: PASS,
  Add: MERGE,
  Multiply: MERGE,
  Subtract: MERGE,
  Average: MERGE,
  Maximum: MERGE,
  Minimum: MERGE,
  Concatenate: {
    role: 'concat',
    unsupported: (c, rank) => (c.axis === undefined || isChannelAxis(c.axis, rank) ? null : `concatenates on axis ${String(c.axis)}; only the channel axis (-1) is supported`),
  },
  Flatten: { role: 'flatten' },
  Reshape: { role: 'reshape' },
  AddPositionEmbedding: { role: 'passthrough', weights: { embeddings: { out: -1 } } },
  HardSigmoid: PASS,
  HardSwish: PASS,
  Rescaling: PASS,
  Permute: {
    role: 'passthrough',
    unsupported: (c, rank) => {
      const dims = c.dims as number[] | undefined;
      return dims && dims[dims.length - 1] === rank - 1 ? null : 'moves the channel axis';
    },
  },
  MultiHeadSelfAttention: {
    role: 'passthrough',
    weights: {
      'query/kernel': { in: 0 },
      'key/kernel': { in: 0 },
      'value/kernel': { in: 0 },
      'output/kernel': { out: 1 },
      'output/bias': { out: 0 },
    },
  },
};

/** Adapter for an `Activation` layer: softmax couples channels, other activations are elementwise. */
export function adapterFor(className: string, config: Record<string, unknown>): LayerAdapter | undefined {
  if (className === 'Activation' && config.activation === 'softmax') return { role: 'passthrough', couplesChannels: true };
  return LAYER_ADAPTERS[className];
}
