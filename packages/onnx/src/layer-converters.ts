import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '@omniprune/core';
import { attentionShape, weightShortName, type LAYER_ADAPTERS } from '@omniprune/core/graph';
import { applyFold, type FoldedNorm } from './fold-batch-norm.js';
import type { GraphBuilder, Sym } from './graph-builder.js';

/** What a converter sees: the live layer, its config (snake_case, as in model.json) and its inputs. */
export interface LayerContext {
  readonly layer: tfl.layers.Layer;
  readonly className: string;
  readonly config: Record<string, unknown>;
  readonly inputs: readonly Sym[];
  readonly g: GraphBuilder;
  /** Output shape without the batch axis (TF.js order). */
  readonly outShape: readonly number[];
  /** The batch norm after this layer, folded into its kernel and bias (`exportOnnx({ foldBatchNorm: true })`). */
  readonly fold?: FoldedNorm;
}

/** The kernel and bias as exported: with the following batch norm folded in when there is one. */
function foldedWeights(
  c: LayerContext,
  kernel: { values: Float32Array; shape: number[] },
  bias: { values: Float32Array; shape: number[] } | undefined,
): { kernel: { values: Float32Array; shape: number[] }; bias?: { values: Float32Array; shape: number[] } } {
  if (!c.fold) return { kernel, bias };
  const f = applyFold(kernel.values, bias?.values, c.fold);
  return { kernel: { values: f.kernel, shape: kernel.shape }, bias: { values: f.bias, shape: [f.bias.length] } };
}

type Converter = (c: LayerContext) => Sym;

/** Weights of the layer by short name (`kernel`, `bias`, `gamma`, ...), with their TF.js shapes. */
function weights(layer: tfl.layers.Layer): Map<string, { values: Float32Array; shape: number[] }> {
  const out = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const w of layer.weights) out.set(weightShortName(layer.name, w), { values: w.read().dataSync() as Float32Array, shape: w.shape as number[] });
  return out;
}

function unsupported(c: LayerContext, what: string): never {
  throw new OmnipruneError('E_UNSUPPORTED_LAYER', `cannot export layer "${c.layer.name}" (${c.className}) to ONNX: ${what}`, {
    plugin: 'onnx',
    hint: 'export supports conv, depthwise and separable conv, batch norm, dense, activations, add, concatenate, pooling, flatten/reshape, layer norm, the zoo attention and softmax',
  });
}

/** Apply a Keras activation by name. `channelAxis` is where softmax normalises. */
export function activation(g: GraphBuilder, x: Sym, fn: unknown, c: LayerContext, channelAxis = -1): Sym {
  const name = String(fn ?? 'linear');
  const same = (op: string, attrs = {}): Sym => ({ ...x, name: g.op(op, [x.name], attrs) });
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return same('Relu');
    case 'sigmoid':
      return same('Sigmoid');
    case 'tanh':
      return same('Tanh');
    case 'elu':
      return same('Elu', { alpha: { float: 1 } });
    case 'selu':
      return same('Selu');
    case 'softplus':
      return same('Softplus');
    case 'softsign':
      return same('Softsign');
    case 'softmax':
      return same('Softmax', { axis: channelAxis });
    case 'log_softmax':
    case 'logSoftmax':
      return same('LogSoftmax', { axis: channelAxis });
    case 'relu6':
      return { ...x, name: g.op('Clip', [x.name, g.floats('zero', [], [0]), g.floats('six', [], [6])]) };
    case 'swish':
      return { ...x, name: g.op('Mul', [x.name, g.op('Sigmoid', [x.name])]) };
    case 'gelu': {
      const erf = g.op('Erf', [g.op('Mul', [x.name, g.floats('inv_sqrt2', [], [Math.SQRT1_2])])]);
      const cdf = g.op('Mul', [g.op('Add', [erf, g.floats('one', [], [1])]), g.floats('half', [], [0.5])]);
      return { ...x, name: g.op('Mul', [x.name, cdf]) };
    }
    default:
      return unsupported(c, `activation "${name}"`);
  }
}

const pair = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)]);
const autoPad = (padding: unknown): string => (padding === 'same' ? 'SAME_UPPER' : 'VALID');
const channelAxisOf = (x: Sym): number => (x.layout === 'nchw' ? 1 : -1);

/** `[kh, kw, in, out]` -> `[out, in, kh, kw]`. */
function convKernel(k: { values: Float32Array; shape: number[] }): { values: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = k.shape;
  const out = new Float32Array(k.values.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          out[((o * cin + i) * kh + h) * kw + w] = k.values[((h * kw + w) * cin + i) * cout + o];
        }
  return { values: out, dims: [cout, cin, kh, kw] };
}

function conv(c: LayerContext, depthwise: boolean): Sym {
  const { g, config } = c;
  const x = g.toNchw(c.inputs[0]);
  const w = weights(c.layer);
  let kernel = w.get(depthwise ? 'depthwise_kernel' : 'kernel')!;
  let group = 1;
  if (depthwise) {
    const [kh, kw, cin, mult] = kernel.shape;
    kernel = { values: kernel.values, shape: [kh, kw, 1, cin * mult] };
    group = cin;
  }
  const folded = foldedWeights(c, kernel, w.get('bias'));
  const k = convKernel(folded.kernel);
  const inputs = [x.name, g.floats(`${c.layer.name}_W`, k.dims, k.values)];
  const bias = folded.bias;
  if (bias) inputs.push(g.floats(`${c.layer.name}_B`, bias.shape, bias.values));
  const y = g.op('Conv', inputs, {
    kernel_shape: pair(config.kernel_size),
    strides: pair(config.strides ?? 1),
    dilations: pair(config.dilation_rate ?? 1),
    auto_pad: autoPad(config.padding),
    group,
  });
  return activation(g, { name: y, layout: 'nchw', rank: 4 }, config.activation, c, 1);
}

/**
 * SeparableConv2D: its depthwise kernel `[kh, kw, in, dm]` as a Conv with `group = in` (strides, dilations and
 * padding of the layer, no bias), then its pointwise kernel `[1, 1, in*dm, filters]` as a 1x1 Conv with the bias,
 * then the activation.
 */
function separableConv(c: LayerContext): Sym {
  const { g, config } = c;
  const x = g.toNchw(c.inputs[0]);
  const w = weights(c.layer);
  const depthwise = w.get('depthwise_kernel')!;
  const [kh, kw, cin, mult] = depthwise.shape;
  const dk = convKernel({ values: depthwise.values, shape: [kh, kw, 1, cin * mult] });
  const mid = g.op('Conv', [x.name, g.floats(`${c.layer.name}_DW`, dk.dims, dk.values)], {
    kernel_shape: pair(config.kernel_size),
    strides: pair(config.strides ?? 1),
    dilations: pair(config.dilation_rate ?? 1),
    auto_pad: autoPad(config.padding),
    group: cin,
  });
  const folded = foldedWeights(c, w.get('pointwise_kernel')!, w.get('bias'));
  const pk = convKernel(folded.kernel);
  const inputs = [mid, g.floats(`${c.layer.name}_PW`, pk.dims, pk.values)];
  const bias = folded.bias;
  if (bias) inputs.push(g.floats(`${c.layer.name}_B`, bias.shape, bias.values));
  const y = g.op('Conv', inputs, { kernel_shape: [1, 1], group: 1 });
  return activation(g, { name: y, layout: 'nchw', rank: 4 }, config.activation, c, 1);
}

/**
 * Inference batch norm: an ONNX `BatchNormalization` node on NCHW images and `[batch, C]` vectors (what PyTorch
 * exports with BN kept, which the importer reads back and onnxruntime fuses into the conv), else `x * a + b` along
 * the last axis (token sequences, where ONNX's channel axis 1 is not the features).
 */
function batchNorm(c: LayerContext): Sym {
  const { g, config } = c;
  const x = c.inputs[0];
  const w = weights(c.layer);
  const mean = w.get('moving_mean')!.values;
  const variance = w.get('moving_variance')!.values;
  const n = mean.length;
  const gamma = w.get('gamma')?.values ?? new Float32Array(n).fill(1);
  const beta = w.get('beta')?.values ?? new Float32Array(n);
  const eps = Number(config.epsilon ?? 1e-3);
  const name = c.layer.name;
  if (x.layout === 'nchw' || x.rank === 2) {
    const inputs = [
      x.name,
      g.floats(`${name}_gamma`, [n], gamma),
      g.floats(`${name}_beta`, [n], beta),
      g.floats(`${name}_mean`, [n], mean),
      g.floats(`${name}_var`, [n], variance),
    ];
    return { ...x, name: g.op('BatchNormalization', inputs, { epsilon: { float: eps } }) };
  }
  const a = Float32Array.from({ length: n }, (_, i) => gamma[i] / Math.sqrt(variance[i] + eps));
  const b = Float32Array.from({ length: n }, (_, i) => beta[i] - mean[i] * a[i]);
  return { ...x, name: g.op('Add', [g.op('Mul', [x.name, g.floats(`${name}_scale`, [n], a)]), g.floats(`${name}_shift`, [n], b)]) };
}

function dense(c: LayerContext): Sym {
  const { g, config } = c;
  const x = g.toPlain(c.inputs[0]);
  const w = weights(c.layer);
  const { kernel: k, bias } = foldedWeights(c, w.get('kernel')!, w.get('bias'));
  let y = g.op('MatMul', [x.name, g.floats(`${c.layer.name}_W`, k.shape, k.values)]);
  if (bias) y = g.op('Add', [y, g.floats(`${c.layer.name}_B`, bias.shape, bias.values)]);
  return activation(g, { name: y, layout: 'plain', rank: x.rank }, config.activation, c);
}

function merge(op: string): Converter {
  return (c) => {
    const { g } = c;
    const nchw = c.inputs.some((x) => x.layout === 'nchw');
    const xs = c.inputs.map((x) => (nchw ? g.toNchw(x) : g.toPlain(x)));
    let acc = xs[0].name;
    for (const x of xs.slice(1)) acc = g.op(op === 'Average' ? 'Add' : op, [acc, x.name]);
    if (op === 'Average') acc = g.op('Div', [acc, g.floats('count', [], [xs.length])]);
    return { name: acc, layout: xs[0].layout, rank: xs[0].rank };
  };
}

function pool(op: 'MaxPool' | 'AveragePool'): Converter {
  return (c) => {
    const x = c.g.toNchw(c.inputs[0]);
    const attrs: Record<string, number | number[] | string> = {
      kernel_shape: pair(c.config.pool_size),
      strides: pair(c.config.strides ?? c.config.pool_size),
      auto_pad: autoPad(c.config.padding),
    };
    if (op === 'AveragePool') attrs.count_include_pad = 0;
    return { name: c.g.op(op, [x.name], attrs), layout: 'nchw', rank: 4 };
  };
}

function globalPool2d(op: string): Converter {
  return (c) => {
    const x = c.g.toNchw(c.inputs[0]);
    return { name: c.g.op('Flatten', [c.g.op(op, [x.name])], { axis: 1 }), layout: 'plain', rank: 2 };
  };
}

function attention(c: LayerContext): Sym {
  const { g, layer } = c;
  const x = g.toPlain(c.inputs[0]);
  const { numHeads: heads, headDim } = attentionShape(c.config);
  const w = weights(layer);
  const project = (p: string, input: string): string => {
    const k = w.get(`${p}/kernel`)!;
    const y = g.op('MatMul', [input, g.floats(`${layer.name}_${p}_W`, k.shape, k.values)]);
    const b = w.get(`${p}/bias`);
    return b ? g.op('Add', [y, g.floats(`${layer.name}_${p}_B`, b.shape, b.values)]) : y;
  };
  const split = g.ints('split_shape', [0, 0, heads, headDim]);
  const q = g.op('Transpose', [g.op('Reshape', [project('query', x.name), split])], { perm: [0, 2, 1, 3] });
  const kt = g.op('Transpose', [g.op('Reshape', [project('key', x.name), split])], { perm: [0, 2, 3, 1] });
  const v = g.op('Transpose', [g.op('Reshape', [project('value', x.name), split])], { perm: [0, 2, 1, 3] });
  const scores = g.op('Mul', [g.op('MatMul', [q, kt]), g.floats('scale', [], [1 / Math.sqrt(headDim)])]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.ints('merge_shape', [0, 0, heads * headDim])]);
  return { name: project('output', merged), layout: 'plain', rank: 3 };
}

const identity: Converter = (c) => c.inputs[0];

/**
 * Classes of core's layer table the exporter does not convert (an export containing one fails naming it). Every
 * other class of the table must have a converter below: adding a class to the table without one does not compile.
 */
type NotExported =
  | 'InputLayer' // the graph input, written by the exporter itself
  | 'Conv1D'
  | 'Conv2DTranspose'
  | 'ELU'
  | 'PReLU'
  | 'MaxPooling1D'
  | 'AveragePooling1D'
  | 'GlobalMaxPooling1D'
  | 'Cropping2D'
  | 'UpSampling2D';

/** Converters by TF.js layer class. */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Conv2D: (c) => conv(c, false),
  DepthwiseConv2D: (c) => conv(c, true),
  SeparableConv2D: separableConv,
  BatchNormalization: batchNorm,
  Dense: dense,
  Activation: (c) => activation(c.g, c.inputs[0], c.config.activation, c, channelAxisOf(c.inputs[0])),
  ReLU: (c) => {
    const max = c.config.max_value;
    if (max === undefined || max === null) return activation(c.g, c.inputs[0], 'relu', c);
    return { ...c.inputs[0], name: c.g.op('Clip', [c.inputs[0].name, c.g.floats('zero', [], [0]), c.g.floats('max', [], [Number(max)])]) };
  },
  HardSigmoid: (c) => ({
    ...c.inputs[0],
    name: c.g.op('HardSigmoid', [c.inputs[0].name], { alpha: { float: Number(c.config.alpha) }, beta: { float: Number(c.config.beta) } }),
  }),
  HardSwish: (c) => ({ ...c.inputs[0], name: c.g.op('HardSwish', [c.inputs[0].name]) }),
  Rescaling: (c) => {
    const x = c.inputs[0];
    const scaled = c.g.op('Mul', [x.name, c.g.floats('scale', [], [Number(c.config.scale)])]);
    return { ...x, name: Number(c.config.offset ?? 0) === 0 ? scaled : c.g.op('Add', [scaled, c.g.floats('offset', [], [Number(c.config.offset)])]) };
  },
  Permute: (c) => {
    const x = c.g.toPlain(c.inputs[0]);
    return { ...x, name: c.g.op('Transpose', [x.name], { perm: [0, ...(c.config.dims as number[])] }) };
  },
  LeakyReLU: (c) => ({ ...c.inputs[0], name: c.g.op('LeakyRelu', [c.inputs[0].name], { alpha: { float: Number(c.config.alpha ?? 0.3) } }) }),
  Softmax: (c) => activation(c.g, c.inputs[0], 'softmax', c, channelAxisOf(c.inputs[0])),
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Subtract: merge('Sub'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Average: merge('Average'),
  Concatenate: (c) => {
    const nchw = c.inputs.some((x) => x.layout === 'nchw');
    const xs = c.inputs.map((x) => (nchw ? c.g.toNchw(x) : c.g.toPlain(x)));
    return {
      name: c.g.op(
        'Concat',
        xs.map((x) => x.name),
        { axis: nchw ? 1 : -1 },
      ),
      layout: xs[0].layout,
      rank: xs[0].rank,
    };
  },
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool2d('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool2d('GlobalMaxPool'),
  GlobalAveragePooling1D: (c) => ({ name: c.g.op('ReduceMean', [c.g.toPlain(c.inputs[0]).name], { axes: [1], keepdims: 0 }), layout: 'plain', rank: 2 }),
  Flatten: (c) => ({ name: c.g.op('Flatten', [c.g.toPlain(c.inputs[0]).name], { axis: 1 }), layout: 'plain', rank: 2 }),
  Reshape: (c) => ({
    name: c.g.op('Reshape', [c.g.toPlain(c.inputs[0]).name, c.g.ints('shape', [0, ...c.outShape])]),
    layout: 'plain',
    rank: c.outShape.length + 1,
  }),
  ZeroPadding2D: (c) => {
    const x = c.g.toNchw(c.inputs[0]);
    const p = c.config.padding as number[][] | number[] | number;
    const [[top, bottom], [left, right]] =
      Array.isArray(p) && Array.isArray(p[0]) ? (p as number[][]) : ([pair(p), pair(p)].map((v, i) => [v[i], v[i]]) as number[][]);
    return { ...x, name: c.g.op('Pad', [x.name, c.g.ints('pads', [0, 0, top, left, 0, 0, bottom, right])]) };
  },
  LayerNormalization: (c) => {
    const x = c.g.toPlain(c.inputs[0]);
    const w = weights(c.layer);
    const n = c.outShape[c.outShape.length - 1];
    const gamma = w.get('gamma')?.values ?? new Float32Array(n).fill(1);
    const beta = w.get('beta')?.values ?? new Float32Array(n);
    return {
      ...x,
      name: c.g.op('LayerNormalization', [x.name, c.g.floats(`${c.layer.name}_scale`, [n], gamma), c.g.floats(`${c.layer.name}_bias`, [n], beta)], {
        axis: -1,
        epsilon: { float: Number(c.config.epsilon ?? 1e-3) },
      }),
    };
  },
  AddPositionEmbedding: (c) => {
    const x = c.g.toPlain(c.inputs[0]);
    const e = weights(c.layer).get('embeddings')!;
    return { ...x, name: c.g.op('Add', [x.name, c.g.floats(`${c.layer.name}_E`, e.shape, e.values)]) };
  },
  MultiHeadSelfAttention: attention,
} satisfies Record<Exclude<keyof typeof LAYER_ADAPTERS, NotExported>, Converter>;
