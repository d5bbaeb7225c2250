/**
 * All per-layer-class knowledge of the engine, in one typed table: channel role, channel axes of each weight,
 * config patching, FLOPs, which weights zero the output, batch-norm scale, attention heads.
 * A layer class missing here is unknown: the channels it touches are frozen (never pruned) with a warning, and it
 * counts no FLOPs. Types and required fields per role: `layer-adapter-types.ts`.
 */
import {
  NO_MACS,
  configValue,
  type LayerAdapter,
  type LayerConfig,
  type MacCount,
  type MacInput,
  type PassthroughAdapter,
  type ProducerAdapter,
  type RoutingAdapter,
} from './layer-adapter-types.js';

/** True when a normalisation `axis` config (number or one-element list) names the last axis of a rank-`rank` input. */
function isChannelAxis(axis: unknown, rank: number): boolean {
  const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : null) : axis;
  return a === -1 || a === rank - 1;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const last = (xs: readonly number[]): number => xs[xs.length - 1];
/** Product of the kernel size (`kernel_size`, a number or a list; 1 when absent). */
const kernelArea = (config: LayerConfig): number => prod([configValue(config, 'kernel_size') ?? 1].flat() as number[]);
/** Output positions: every output axis but the channels. */
const positions = (l: MacInput): number => prod(l.outShape.slice(0, -1));

/** Conv1D/Conv2D/Conv2DTranspose: positions x kernel area x in x out. */
const convMacs: MacCount = (l) => ({ inOut: positions(l) * kernelArea(l.config) * last(l.inShape) * last(l.outShape), inOnly: 0 });
/** Dense on any rank: leading positions x in x out. */
const denseMacs: MacCount = (l) => ({ inOut: prod(l.inShape.slice(0, -1)) * last(l.inShape) * last(l.outShape), inOnly: 0 });

const channelsLastOnly = (c: LayerConfig): string | null => {
  const format = configValue(c, 'data_format');
  return format && format !== 'channels_last' && format !== 'channelsLast' ? 'channels_first data format' : null;
};
const normalisesChannels = (c: LayerConfig, rank: number): string | null =>
  isChannelAxis(c.axis, rank) ? null : `normalises axis ${JSON.stringify(c.axis)}, not the channel axis`;

/** Head count and width of the zoo's attention layer. */
const attentionShape = (c: LayerConfig): { numHeads: number; headDim: number } => ({
  numHeads: Number(configValue(c, 'num_heads')),
  headDim: Number(configValue(c, 'head_dim')),
});

const PASS = { role: 'passthrough', macs: NO_MACS } satisfies PassthroughAdapter;
const MERGE = { role: 'merge', macs: NO_MACS } satisfies RoutingAdapter;
const TAIL = { ...PASS, classifierTail: true } satisfies PassthroughAdapter;
const BATCH_NORM = {
  role: 'passthrough',
  macs: NO_MACS,
  weights: { gamma: { out: 0 }, beta: { out: 0 }, moving_mean: { out: 0 }, moving_variance: { out: 0 } },
  zeroOutput: ['gamma', 'beta'],
  batchNormScale: 'gamma',
  unsupported: normalisesChannels,
} satisfies PassthroughAdapter;

/**
 * SeparableConv2D: a depthwise kernel `[kh, kw, in, dm]` then a pointwise kernel `[1, 1, in*dm, filters]` and a
 * bias `[filters]`. Its filters are a channel group; its input channels are sliced on both kernels (depth
 * multiplier 1 only: TF.js does not save `depth_multiplier`, so other values would not survive a rebuild).
 * MACs: depthwise (positions x kernel area x in x dm, scales with the inputs) + pointwise (positions x in x dm x out).
 */
const SEPARABLE_CONV_2D = {
  role: 'producer',
  sizeKey: 'filters',
  weights: { depthwise_kernel: { in: 2 }, pointwise_kernel: { in: 2, out: 3 }, bias: { out: 0 } },
  zeroOutput: ['pointwise_kernel', 'bias'],
  macs: (l) => {
    const dm = l.weights.depthwise_kernel?.[3] ?? Number(configValue(l.config, 'depth_multiplier') ?? 1);
    const depthwise = positions(l) * last(l.inShape) * dm;
    return { inOnly: depthwise * kernelArea(l.config), inOut: depthwise * last(l.outShape) };
  },
  unsupported: (c, _rank, weights) => {
    const dm = weights.depthwise_kernel?.[3] ?? 1;
    return channelsLastOnly(c) ?? (dm === 1 ? null : `depth_multiplier ${dm} (only 1 is supported)`);
  },
} satisfies ProducerAdapter;

const TABLE = {
  InputLayer: { role: 'source', macs: NO_MACS },
  Conv2D: {
    role: 'producer',
    sizeKey: 'filters',
    weights: { kernel: { in: 2, out: 3 }, bias: { out: 0 } },
    zeroOutput: ['kernel', 'bias'],
    macs: convMacs,
    unsupported: channelsLastOnly,
  },
  Conv1D: { role: 'producer', sizeKey: 'filters', weights: { kernel: { in: 1, out: 2 }, bias: { out: 0 } }, zeroOutput: ['kernel', 'bias'], macs: convMacs },
  Conv2DTranspose: {
    role: 'producer',
    sizeKey: 'filters',
    weights: { kernel: { in: 3, out: 2 }, bias: { out: 0 } },
    zeroOutput: ['kernel', 'bias'],
    macs: convMacs,
    unsupported: () => 'transposed convolution: channel pruning is not implemented',
  },
  SeparableConv2D: SEPARABLE_CONV_2D,
  Dense: { role: 'producer', sizeKey: 'units', weights: { kernel: { in: 0, out: 1 }, bias: { out: 0 } }, zeroOutput: ['kernel', 'bias'], macs: denseMacs },
  DepthwiseConv2D: {
    role: 'passthrough',
    weights: { depthwise_kernel: { out: 2 }, bias: { out: 0 } },
    macs: (l) => ({ inOut: 0, inOnly: positions(l) * kernelArea(l.config) * last(l.outShape) }),
    unsupported: (c) => {
      const dm = configValue(c, 'depth_multiplier') ?? 1;
      return dm === 1 ? null : `depth_multiplier ${String(dm)} (only 1 is supported)`;
    },
  },
  BatchNormalization: BATCH_NORM,
  LayerNormalization: {
    role: 'passthrough',
    macs: NO_MACS,
    weights: { gamma: { out: 0 }, beta: { out: 0 } },
    couplesChannels: true,
    unsupported: normalisesChannels,
  },
  Activation: {
    ...TAIL,
    couplesChannels: false,
    isRelu: (c) => c.activation === 'relu',
  },
  ReLU: { ...PASS, isRelu: (c) => !c.max_value && !c.negative_slope },
  LeakyReLU: PASS,
  ELU: PASS,
  PReLU: { role: 'passthrough', macs: NO_MACS, weights: { alpha: { out: -1 } } },
  Softmax: { ...TAIL, couplesChannels: true },
  Dropout: TAIL,
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
    macs: NO_MACS,
    unsupported: (c, rank) =>
      c.axis === undefined || isChannelAxis(c.axis, rank) ? null : `concatenates on axis ${String(c.axis)}; only the channel axis (-1) is supported`,
  },
  Flatten: { role: 'flatten', macs: NO_MACS },
  Reshape: {
    role: 'reshape',
    macs: NO_MACS,
    patchConfig: (c, outSize) => {
      const target = c.target_shape as number[];
      c.target_shape = [...target.slice(0, -1), outSize];
    },
  },
  AddPositionEmbedding: { role: 'passthrough', macs: NO_MACS, weights: { embeddings: { out: -1 } } },
  HardSigmoid: PASS,
  HardSwish: PASS,
  Rescaling: PASS,
  Permute: {
    role: 'passthrough',
    macs: NO_MACS,
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
    zeroOutput: ['output/kernel', 'output/bias'],
    /** Q/K/V and output projections plus scores and context; all scaled by the kept inputs (an approximation). */
    macs: (l) => {
      const tokens = l.inShape[0];
      const { numHeads, headDim } = attentionShape(l.config);
      const inner = numHeads * headDim;
      return { inOut: 0, inOnly: tokens * last(l.inShape) * inner * 3 + tokens * inner * last(l.outShape) + 2 * tokens * tokens * inner };
    },
    heads: {
      shape: attentionShape,
      countKey: 'num_heads',
      axes: { 'query/kernel': 1, 'query/bias': 0, 'key/kernel': 1, 'key/bias': 0, 'value/kernel': 1, 'value/bias': 0, 'output/kernel': 0 },
      maskedWeights: ['output/kernel'],
    },
  },
} satisfies Record<string, LayerAdapter>;

/** Layer classes the engine knows (the table's keys). */
export type LayerClassName = keyof typeof TABLE;

/**
 * The adapter table: Keras/TF.js layer class name -> adapter. Typed by its keys, so another table keyed by layer
 * class (an exporter's converters) can require an entry for every class with `satisfies Record<keyof typeof LAYER_ADAPTERS, ...>`.
 */
export const LAYER_ADAPTERS: Readonly<Record<LayerClassName, LayerAdapter>> = TABLE;

const SOFTMAX_ACTIVATION: LayerAdapter = { ...TABLE.Activation, couplesChannels: true };

/**
 * The adapter of a layer class with this config (an `Activation` computing softmax couples channels), or
 * undefined for a class the engine does not know.
 * @example
 * adapterFor('Conv2D', {})?.role // 'producer'
 */
export function adapterFor(className: string, config: LayerConfig): LayerAdapter | undefined {
  if (className === 'Activation' && config.activation === 'softmax') return SOFTMAX_ACTIVATION;
  return Object.hasOwn(TABLE, className) ? LAYER_ADAPTERS[className as LayerClassName] : undefined;
}

/**
 * Class names whose heads the engine can remove (those with `heads` in the table).
 * @example
 * HEAD_PRUNABLE_CLASSES // ['MultiHeadSelfAttention']
 */
export const HEAD_PRUNABLE_CLASSES: readonly string[] = Object.entries(TABLE).flatMap(([cls, a]) => ('heads' in a ? [cls] : []));

/**
 * Head axes of the zoo's attention layer (weight short name -> axis indexed by `numHeads x headDim`); kept for
 * existing imports, the table entry's `heads.axes` is the source.
 * @example
 * HEAD_WEIGHT_AXES['output/kernel'] // 0
 */
export const HEAD_WEIGHT_AXES: Readonly<Record<string, number>> = TABLE.MultiHeadSelfAttention.heads.axes;
