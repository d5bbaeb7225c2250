import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { transposeConst } from './const-fold.js';
import { hwcToChw, type NodeArgs, type TensorValue, type Value } from './import-context.js';
import { resolvePadding } from './padding.js';

/** Converters of convolutions, batch norm, pooling and padding (images are NHWC in TF.js). */

const pair = (v: number[] | undefined, fallback: number): [number, number] => [v?.[0] ?? fallback, v?.[1] ?? fallback];

/** Spatial padding of a window op, with a ZeroPadding2D layer inserted when TF.js's `same`/`valid` do not match. */
function padded(
  n: NodeArgs,
  x: TensorValue,
  kernel: [number, number],
  options: { ceil?: boolean; zeroPadOk: boolean; what: string },
): { input: tfl.SymbolicTensor; mode: 'same' | 'valid'; out: [number, number] } {
  const stride = pair(n.ints('strides'), 1);
  const dilation = pair(n.ints('dilations'), 1);
  const pads = n.ints('pads') ?? [0, 0, 0, 0];
  const p = resolvePadding([x.dims[1], x.dims[2]], { kernel, stride, dilation, pads, autoPad: n.string('auto_pad', 'NOTSET'), ceil: options.ceil });
  const image = n.ctx.image(x, n.name());
  if (!p.explicit) return { input: image, mode: p.mode, out: p.out };
  if (!options.zeroPadOk) {
    throw n.unsupported(
      `${options.what} with padding ${JSON.stringify(pads)} that TF.js cannot express`,
      'pad symmetrically (or so that TF.js "same" padding matches), or apply it after a ReLU',
    );
  }
  n.ctx.count('zero-padding');
  const layer = tfl.layers.zeroPadding2d({ name: n.name('pad'), padding: p.explicit });
  return { input: n.ctx.apply(layer, image), mode: 'valid', out: p.out };
}

/** Conv: group 1 -> Conv2D, depthwise (group = input channels) -> DepthwiseConv2D. */
export function conv(n: NodeArgs): Value {
  const x = n.imageTensor(0);
  const w = n.constant(1)!;
  const b = n.constant(2);
  if (w.dims.length !== 4) throw n.unsupported(`${w.dims.length - 2}-D convolution (only 2-D is supported)`);
  const [outCh, inPerGroup, kh, kw] = w.dims;
  const group = n.int('group', 1);
  const cin = x.dims[0];
  const strides = pair(n.ints('strides'), 1);
  const dilationRate = pair(n.ints('dilations'), 1);
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) throw n.unsupported('stride > 1 together with dilation > 1 (TF.js cannot run it)');
  const depthwise = group > 1 && group === cin && inPerGroup === 1;
  if (group !== 1 && !depthwise) {
    throw n.unsupported(
      `grouped convolution (group=${group}, ${cin} input channels) is neither a plain nor a depthwise convolution`,
      'TF.js has no grouped convolution; replace it by a depthwise (groups=in_channels) or plain (groups=1) Conv2d in PyTorch, or split it into per-group convs and a concat',
    );
  }
  const { input, mode } = padded(n, x, [kh, kw], { zeroPadOk: true, what: 'convolution' });
  const useBias = b !== undefined;
  const hwio = transposeConst(w, [2, 3, 1, 0]);
  if (depthwise) {
    const mult = outCh / cin;
    const layer = tfl.layers.depthwiseConv2d({ name: n.name(), kernelSize: [kh, kw], strides, dilationRate, padding: mode, depthMultiplier: mult, useBias });
    const kernel = tf.tensor4d(Float32Array.from(hwio.values), [kh, kw, cin, mult]);
    const sym = n.ctx.apply(layer, input, useBias ? [kernel, tf.tensor1d(Float32Array.from(b.values))] : [kernel]);
    return { kind: 'tensor', sym, dims: [outCh, ...(sym.shape.slice(1, 3) as number[])] };
  }
  const layer = tfl.layers.conv2d({ name: n.name(), filters: outCh, kernelSize: [kh, kw], strides, dilationRate, padding: mode, useBias });
  const kernel = tf.tensor4d(Float32Array.from(hwio.values), [kh, kw, inPerGroup, outCh]);
  const sym = n.ctx.apply(layer, input, useBias ? [kernel, tf.tensor1d(Float32Array.from(b.values))] : [kernel]);
  return { kind: 'tensor', sym, dims: [outCh, ...(sym.shape.slice(1, 3) as number[])] };
}

/**
 * BatchNormalization (inference statistics kept as moving mean/variance; ONNX momentum m and Keras momentum both
 * mean running = m * running + (1 - m) * batch). Works on images and on features (BatchNorm1d).
 */
export function batchNorm(n: NodeArgs): Value {
  const x = n.tensor(0);
  if (x.dims.length !== 3 && x.dims.length !== 1) throw n.unsupported(`batch norm over a rank-${x.dims.length + 1} tensor`);
  if (n.int('training_mode', 0) === 1) n.ctx.notes.add('batch norm was exported in training mode; its stored running statistics are used');
  let params = [1, 2, 3, 4].map((i) => n.constant(i)!.values);
  if (x.hwc) {
    const map = hwcToChw(x.hwc);
    params = params.map((p) => Float32Array.from(map, (src) => p[src]));
  }
  const layer = tfl.layers.batchNormalization({ name: n.name(), axis: -1, epsilon: n.float('epsilon', 1e-5), momentum: n.float('momentum', 0.9) });
  // Channels are last in every form (NHWC image, squeezed [N, C], features), so BN applies to the tensor as held.
  const sym = n.ctx.apply(
    layer,
    x.sym,
    params.map((p) => tf.tensor1d(Float32Array.from(p))),
  );
  return { kind: 'tensor', sym, dims: x.dims, hwc: x.hwc, squeezed: x.squeezed };
}

/** MaxPool / AveragePool. Explicit pads that TF.js `same` cannot express become zero padding (exact for average pooling counting pads, and for max pooling of non-negative inputs). */
export function pool(op: 'MaxPool' | 'AveragePool'): (n: NodeArgs) => Value {
  return (n) => {
    const x = n.imageTensor(0);
    const kernel = pair(n.ints('kernel_shape'), 1);
    if (pair(n.ints('dilations'), 1).some((d) => d !== 1)) throw n.unsupported('dilated pooling');
    if (n.node.outputs.length > 1 && n.node.outputs[1]) throw n.unsupported('max pooling indices output');
    const countPads = op === 'AveragePool' && n.int('count_include_pad', 0) === 1;
    const ceil = n.int('ceil_mode', 0) === 1;
    const floorOut = resolvePadding([x.dims[1], x.dims[2]], {
      kernel,
      stride: pair(n.ints('strides'), 1),
      dilation: [1, 1],
      pads: n.ints('pads') ?? [0, 0, 0, 0],
      autoPad: n.string('auto_pad', 'NOTSET'),
    }).out;
    const padsAny = (n.ints('pads') ?? []).some((p) => p !== 0) || !['NOTSET', 'VALID', ''].includes(n.string('auto_pad', 'NOTSET'));
    const { input, mode, out } = padded(n, x, kernel, {
      ceil,
      zeroPadOk: op === 'MaxPool' ? !!x.nonNegative : countPads || !padsAny,
      what: op === 'MaxPool' ? 'max pooling of a tensor that may be negative' : 'average pooling not counting pads',
    });
    // Ceil mode's extra window positions average only the values inside: TF.js `same` does that when no pads are given.
    if (op === 'AveragePool' && ceil && (out[0] !== floorOut[0] || out[1] !== floorOut[1]) && (mode !== 'same' || padsAny)) {
      throw n.unsupported('average pooling with ceil_mode and padding that changes the output size');
    }
    if (op === 'AveragePool' && countPads && mode === 'same' && padsAny) {
      // TF.js `same` average pooling ignores the pads; ONNX counts them: pad explicitly instead.
      const image = n.ctx.image(x, n.name());
      const pads = n.ints('pads') ?? [0, 0, 0, 0];
      n.ctx.count('zero-padding');
      const padLayer = tfl.layers.zeroPadding2d({
        name: n.name('pad'),
        padding: [
          [pads[0], pads[2]],
          [pads[1], pads[3]],
        ],
      });
      const sym = n.ctx.apply(
        tfl.layers.averagePooling2d({ name: n.name(), poolSize: kernel, strides: pair(n.ints('strides'), 1), padding: 'valid' }),
        n.ctx.apply(padLayer, image),
      );
      return { kind: 'tensor', sym, dims: [x.dims[0], ...(sym.shape.slice(1, 3) as number[])], nonNegative: x.nonNegative };
    }
    const args = { name: n.name(), poolSize: kernel, strides: pair(n.ints('strides'), 1), padding: mode };
    const layer = op === 'MaxPool' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args);
    const sym = n.ctx.apply(layer, input);
    return { kind: 'tensor', sym, dims: [x.dims[0], ...(sym.shape.slice(1, 3) as number[])], nonNegative: x.nonNegative };
  };
}

/** GlobalAveragePool / GlobalMaxPool, and ReduceMean over the spatial axes: `[N, C, 1, 1]` held as `[N, C]`. */
export function globalPool(op: 'avg' | 'max'): (n: NodeArgs) => Value {
  return (n) => {
    const x = n.imageTensor(0);
    let keep = true;
    if (n.node.opType === 'ReduceMean') {
      const axes = (n.ints('axes') ?? (n.input(1) ? Array.from(n.constant(1)!.values) : undefined))?.map((a) => (a < 0 ? a + 4 : a)).sort();
      if (axes?.length !== 2 || axes[0] !== 2 || axes[1] !== 3)
        throw n.unsupported(`ReduceMean over axes ${JSON.stringify(axes ?? 'all')} (only the spatial axes [2, 3] are supported)`);
      keep = n.int('keepdims', 1) === 1;
    }
    if (x.squeezed) return { ...x, squeezed: keep, dims: keep ? x.dims : [x.dims[0]] };
    const args = { name: n.name() };
    const sym = n.ctx.apply(op === 'avg' ? tfl.layers.globalAveragePooling2d(args) : tfl.layers.globalMaxPooling2d(args), x.sym);
    return { kind: 'tensor', sym, dims: keep ? [x.dims[0], 1, 1] : [x.dims[0]], squeezed: keep, nonNegative: x.nonNegative };
  };
}

/** Pad: constant zero padding of the spatial axes only -> ZeroPadding2D. */
export function pad(n: NodeArgs): Value {
  const x = n.imageTensor(0);
  const mode = n.string('mode', 'constant');
  const pads = n.ints('pads') ?? (n.input(1) ? Array.from(n.constant(1)!.values) : undefined);
  const value = n.node.attributes.has('value') ? n.float('value', 0) : n.input(2) ? n.constant(2)!.values[0] : 0;
  if (mode !== 'constant' || value !== 0) throw n.unsupported(`${mode} padding with value ${value} (only zero padding is supported)`);
  if (n.input(3)) throw n.unsupported('Pad with axes');
  if (pads?.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5] || pads.some((p) => p < 0)) {
    throw n.unsupported(`pads ${JSON.stringify(pads)} (only non-negative padding of height and width is supported)`);
  }
  const layer = tfl.layers.zeroPadding2d({
    name: n.name(),
    padding: [
      [pads[2], pads[6]],
      [pads[3], pads[7]],
    ],
  });
  const sym = n.ctx.apply(layer, n.ctx.image(x, n.name()));
  return { kind: 'tensor', sym, dims: [x.dims[0], ...(sym.shape.slice(1, 3) as number[])], nonNegative: x.nonNegative };
}
