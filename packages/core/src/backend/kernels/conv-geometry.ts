import * as tf from '@tensorflow/tfjs-core';

/** Padding spec accepted by the TF.js convolution kernels. */
export type ConvPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** Resolved geometry of a 2-D convolution, always described in NHWC terms. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Resolve strides/padding exactly as the forward kernel does (`backend_util.computeConv2DInfo`), so a gradient
 * uses the same pad offsets as the convolution it differentiates.
 */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW',
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    depthwise,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * One output phase along one spatial axis of a strided transposed convolution (polyphase decomposition):
 * the input-gradient positions `p` with `(p + pad) % stride == phase` only receive the filter taps
 * `k == phase (mod stride)`, so they are an ordinary stride-1 correlation of the output gradient with that
 * sub-filter, flipped.
 */
export interface AxisPhase {
  /** Filter indices of the sub-filter, in correlation order (already flipped). Empty: the phase is all zeros. */
  taps: number[];
  /** Padding of the output gradient before/after along this axis; negative means crop. */
  padBefore: number;
  padAfter: number;
}

/** Polyphase plan of one spatial axis of an input gradient. */
export interface AxisPlan {
  /** One entry per phase `0 .. stride-1`. */
  phases: AxisPhase[];
  /** Rows (or columns) each phase produces. */
  perPhase: number;
  /** Offset of the first input position inside the interleaved result (`perPhase * stride` long). */
  cropStart: number;
}

/**
 * Plan one axis of the input gradient of a convolution with `kernel` taps, `stride`, leading padding `pad`,
 * input length `inSize` and output length `outSize`.
 * Position `u = p + pad` of the padded input gets `sum_j dy[u / stride - j] * w[phase + j * stride]`.
 */
export function planAxis(kernel: number, stride: number, pad: number, inSize: number, outSize: number): AxisPlan {
  const qMin = Math.floor(pad / stride);
  const qMax = Math.floor((pad + inSize - 1) / stride);
  const perPhase = qMax - qMin + 1;
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const count = phase < kernel ? Math.ceil((kernel - phase) / stride) : 0;
    const taps = Array.from({ length: count }, (_, j) => phase + (count - 1 - j) * stride);
    phases.push({ taps, padBefore: count - 1 - qMin, padAfter: qMin + perPhase - 1 - (outSize - 1) });
  }
  return { phases, perPhase, cropStart: pad - qMin * stride };
}

/**
 * Apply per-axis `[before, after]` padding to the spatial axes 1 and 2 of an NHWC tensor: negative amounts crop
 * (a slice), non-negative ones are returned as an explicit padding for the convolution that consumes the tensor,
 * so no padded copy is made.
 */
export function cropForPadding(x: tf.Tensor4D, rows: [number, number], cols: [number, number]): { input: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  const [n, h, w, c] = x.shape;
  const cropTop = Math.max(0, -rows[0]);
  const cropLeft = Math.max(0, -cols[0]);
  const keepH = h - cropTop - Math.max(0, -rows[1]);
  const keepW = w - cropLeft - Math.max(0, -cols[1]);
  const input = cropTop === 0 && cropLeft === 0 && keepH === h && keepW === w ? x : tf.slice(x, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c]);
  return {
    input,
    pad: [
      [0, 0],
      [Math.max(0, rows[0]), Math.max(0, rows[1])],
      [Math.max(0, cols[0]), Math.max(0, cols[1])],
      [0, 0],
    ],
  };
}

/**
 * Interleave `stride` phase results: `parts[rh][rw]` of shape `[n, qh, qw, c]` become one `[n, qh*sh, qw*sw, c]`
 * tensor with `out[q*sh + rh, p*sw + rw] = parts[rh][rw][q, p]`.
 */
export function interleavePhases(parts: tf.Tensor4D[][]): tf.Tensor4D {
  const sh = parts.length;
  const sw = parts[0].length;
  if (sh === 1 && sw === 1) return parts[0][0];
  const [n, qh, qw, c] = parts[0][0].shape;
  const rows = parts.map((row) => (sw === 1 ? row[0] : (tf.reshape(tf.stack(row, 3), [n, qh, qw * sw, c]) as tf.Tensor4D)));
  return sh === 1 ? rows[0] : (tf.reshape(tf.stack(rows, 2), [n, qh * sh, qw * sw, c]) as tf.Tensor4D);
}
