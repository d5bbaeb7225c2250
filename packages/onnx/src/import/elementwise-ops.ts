import * as tfl from '@tensorflow/tfjs-layers';
import { HardSigmoid, HardSwish } from '@omniprune/core/zoo';
import type { NodeArgs, TensorValue, Value } from './import-context.js';

/** Converters of activations and elementwise arithmetic. Every value keeps its form (image, squeezed, HWC features). */

const BIG = 3e38;

/** An elementwise layer applied to input 0; `nonNegative` marks outputs >= 0 (true), inherits (`'same'`) or clears. */
function unary(make: (n: NodeArgs) => tfl.layers.Layer, nonNegative: boolean | 'same' = false): (n: NodeArgs) => Value {
  return (n) => {
    const x = n.tensor(0);
    const sym = n.ctx.apply(make(n), x.sym);
    return { ...x, sym, nonNegative: nonNegative === 'same' ? x.nonNegative : nonNegative };
  };
}

const activation = (fn: string, nonNegative = false) => unary((n) => tfl.layers.activation({ name: n.name(), activation: fn as 'relu' }), nonNegative);

/** Identity and Dropout (inference): the input value itself. */
export const passThrough = (n: NodeArgs): Value => {
  if (n.node.opType === 'Dropout' && n.node.outputs[1]) throw n.unsupported('the dropout mask output is used');
  return n.input(0)!;
};

/** Relu -> ReLU. */
export const relu = unary((n) => tfl.layers.reLU({ name: n.name() }), true);
/** Sigmoid -> Activation('sigmoid'). */
export const sigmoid = activation('sigmoid', true);
/** Tanh -> Activation('tanh'). */
export const tanh = activation('tanh');
/** Softplus -> Activation('softplus'). */
export const softplus = activation('softplus', true);
/** Softsign -> Activation('softsign'). */
export const softsign = activation('softsign');
/** LeakyRelu (alpha, default 0.01) -> LeakyReLU. */
export const leakyRelu = unary((n) => tfl.layers.leakyReLU({ name: n.name(), alpha: n.float('alpha', 0.01) }));
/** HardSigmoid (ONNX alpha default 0.2, beta 0.5; PyTorch exports alpha 1/6) -> core's HardSigmoid layer. */
export const hardSigmoid = unary((n) => new HardSigmoid({ name: n.name(), alpha: n.float('alpha', 0.2), beta: n.float('beta', 0.5) }), true);
/** HardSwish -> core's HardSwish layer. */
export const hardSwish = unary((n) => new HardSwish({ name: n.name() }));

/** Elu with alpha 1 -> Activation('elu'). */
export function elu(n: NodeArgs): Value {
  if (n.float('alpha', 1) !== 1) throw n.unsupported(`Elu with alpha ${n.float('alpha', 1)} (only 1 is supported)`);
  return activation('elu')(n);
}

/** Gelu (opset 20, or torch's Erf decomposition fused on the way in). */
export function gelu(n: NodeArgs): Value {
  if (n.string('approximate', 'none') !== 'none') throw n.unsupported('tanh-approximated GELU', 'use nn.GELU() (exact, erf) in the PyTorch model');
  return activation('gelu')(n);
}

/** Clip(0, max) -> ReLU with max value (ReLU6); Clip without bounds -> identity. */
export function clip(n: NodeArgs): Value {
  const bound = (i: number, attr: string, fallback: number): number => {
    if (n.ctx.opset < 11) return n.float(attr, fallback);
    const c = n.constant(i);
    return c ? c.values[0] : fallback;
  };
  const min = bound(1, 'min', -Infinity);
  const max = bound(2, 'max', Infinity);
  const lo = min <= -BIG ? -Infinity : min;
  const hi = max >= BIG ? Infinity : max;
  if (lo === -Infinity && hi === Infinity) return n.input(0)!;
  if (lo !== 0)
    throw n.unsupported(
      `Clip(${min}, ${max}) (only a lower bound of 0, as in ReLU/ReLU6, is supported)`,
      'use ReLU, ReLU6 or Hardtanh(0, max) in the PyTorch model',
    );
  return unary((m) => tfl.layers.reLU({ name: m.name(), ...(hi === Infinity ? {} : { maxValue: hi }) }), true)(n);
}

/** Softmax / LogSoftmax over the channel (feature) axis. */
export function softmax(log: boolean): (n: NodeArgs) => Value {
  return (n) => {
    const x = n.tensor(0);
    const rank = x.dims.length + 1;
    const defaultAxis = n.ctx.opset >= 13 ? -1 : 1;
    let axis = n.int('axis', defaultAxis);
    if (axis < 0) axis += rank;
    // Before opset 13, `axis` flattens [axis:] into one: the channel axis alone only when nothing follows it.
    const spatial = x.dims.slice(1).reduce((a, b) => a * b, 1);
    if (axis !== 1 || (n.ctx.opset < 13 && spatial !== 1))
      throw n.unsupported(`softmax over axis ${n.int('axis', defaultAxis)} of a rank-${rank} tensor (only the channel axis is supported)`);
    const layer = log ? tfl.layers.activation({ name: n.name(), activation: 'logSoftmax' as 'softmax' }) : tfl.layers.softmax({ name: n.name(), axis: -1 });
    return { ...x, sym: n.ctx.apply(layer, x.sym), nonNegative: !log };
  };
}

const MERGE: Readonly<Record<string, ((args: { name: string }) => tfl.layers.Layer) | undefined>> = {
  Add: (a) => tfl.layers.add(a),
  Mul: (a) => tfl.layers.multiply(a),
  Max: (a) => tfl.layers.maximum(a),
  Min: (a) => tfl.layers.minimum(a),
};

function tensorBinary(n: NodeArgs, a: TensorValue, b: TensorValue): Value {
  const make = MERGE[n.node.opType === 'Sub' ? 'Add' : n.node.opType];
  if (!make) throw n.unsupported(`${n.node.opType} of two computed tensors`);
  if (a.dims.length !== b.dims.length) throw n.unsupported(`broadcasting between ranks ${a.dims.length + 1} and ${b.dims.length + 1}`);
  const dims = a.dims.map((d, i) => {
    if (d !== b.dims[i] && d !== 1 && b.dims[i] !== 1) throw n.unsupported(`shapes [${a.dims}] and [${b.dims}] do not broadcast`);
    return Math.max(d, b.dims[i]);
  });
  let syms: tfl.SymbolicTensor[];
  let form: Partial<TensorValue> = {};
  if (dims.length === 3) {
    const squeezed = !!a.squeezed && !!b.squeezed;
    syms = squeezed ? [a.sym, b.sym] : [n.ctx.image(a, n.name()), n.ctx.image(b, n.name())];
    form = { squeezed };
  } else if (a.hwc && b.hwc && a.hwc.join() === b.hwc.join()) {
    syms = [a.sym, b.sym];
    form = { hwc: a.hwc };
  } else {
    syms = [n.ctx.features(a, n.name()), n.ctx.features(b, n.name())];
  }
  const op = n.node.opType;
  if (op === 'Sub') {
    // TF.js has no Subtract layer: a - b = a + (-1 * b).
    syms[1] = n.ctx.apply(tfl.layers.rescaling({ name: n.name('negate'), scale: -1 }), syms[1]);
  }
  const nonNegative = op === 'Add' || op === 'Mul' || op === 'Min' ? !!a.nonNegative && !!b.nonNegative : op === 'Max' && (!!a.nonNegative || !!b.nonNegative);
  return { kind: 'tensor', sym: n.ctx.apply(make({ name: n.name() }), syms), dims, ...form, nonNegative };
}

/** Arithmetic with one scalar constant -> Rescaling (`x * scale + offset`). */
function constBinary(n: NodeArgs, x: TensorValue, c: Float32Array | Float64Array, constFirst: boolean): Value {
  const op = n.node.opType;
  const s = c[0];
  if (!c.every((v) => v === s)) {
    throw n.unsupported(
      `${op} with a per-element constant of ${c.length} values (only scalar constants are supported)`,
      'fold per-channel scales into the neighbouring conv or batch norm, or move input normalisation out of the model',
    );
  }
  if (op === 'Max' && s === 0) return { ...x, sym: n.ctx.apply(tfl.layers.reLU({ name: n.name() }), x.sym), nonNegative: true };
  const affine: Record<string, [number, number] | undefined> = {
    Add: [1, s],
    Sub: constFirst ? [-1, s] : [1, -s],
    Mul: [s, 0],
    Div: constFirst ? undefined : [1 / s, 0],
  };
  const ab = affine[op];
  if (!ab) throw n.unsupported(`${op} with a constant ${constFirst ? 'first ' : ''}operand`);
  if (ab[0] === 1 && ab[1] === 0) return x;
  n.ctx.count('rescaling');
  const sym = n.ctx.apply(tfl.layers.rescaling({ name: n.name(), scale: ab[0], offset: ab[1] }), x.sym);
  return { ...x, sym, nonNegative: !!x.nonNegative && ab[0] >= 0 && ab[1] >= 0 };
}

/** Add / Sub / Mul / Div / Max / Min: two tensors (broadcasting, e.g. squeeze-excitation gates) or a tensor and a scalar. */
export function binary(n: NodeArgs): Value {
  const a = n.input(0)!;
  const b = n.input(1)!;
  if (a.kind === 'tensor' && b.kind === 'tensor') return tensorBinary(n, a, b);
  if (a.kind === 'tensor' && b.kind === 'const') return constBinary(n, a, b.tensor.values, false);
  if (a.kind === 'const' && b.kind === 'tensor') return constBinary(n, b, a.tensor.values, true);
  throw n.unsupported('arithmetic on constants that could not be folded');
}
