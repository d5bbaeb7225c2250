/**
 * ONNX spatial padding (explicit `pads`, `auto_pad`, `ceil_mode`) expressed as what TF.js layers offer: `same`,
 * `valid`, or explicit zero padding followed by `valid`.
 */

/** How a conv or pooling window is padded in TF.js. */
export interface SpatialPadding {
  /** `same` when ONNX's padding equals TF.js's `same`, else `valid`. */
  readonly mode: 'same' | 'valid';
  /** Zero padding to insert before the layer (`[[top, bottom], [left, right]]`), when `mode` is `valid` and pads are needed. */
  readonly explicit?: [[number, number], [number, number]];
}

/** One spatial axis's window. */
export interface AxisWindow {
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBegin: number;
  readonly padEnd: number;
}

function onnxOutput(a: AxisWindow, ceil: boolean): number {
  const span = a.size + a.padBegin + a.padEnd - ((a.kernel - 1) * a.dilation + 1);
  let out = (ceil ? Math.ceil(span / a.stride) : Math.floor(span / a.stride)) + 1;
  // PyTorch/onnxruntime: the last window must start inside the input or the leading padding.
  if (ceil && (out - 1) * a.stride >= a.size + a.padBegin) out--;
  return out;
}

function sameOf(a: AxisWindow): { out: number; begin: number } {
  const out = Math.ceil(a.size / a.stride);
  const total = Math.max((out - 1) * a.stride + (a.kernel - 1) * a.dilation + 1 - a.size, 0);
  return { out, begin: Math.floor(total / 2) };
}

/** Pads of one axis under `auto_pad` (`SAME_UPPER`: extra at the end, `SAME_LOWER`: at the start). */
function autoPads(a: AxisWindow, autoPad: string): [number, number] {
  if (autoPad === 'VALID') return [0, 0];
  const out = Math.ceil(a.size / a.stride);
  const total = Math.max((out - 1) * a.stride + (a.kernel - 1) * a.dilation + 1 - a.size, 0);
  const small = Math.floor(total / 2);
  return autoPad === 'SAME_LOWER' ? [total - small, small] : [small, total - small];
}

/**
 * Resolve padding of a 2-D window op over `[h, w]`. `ceil` extends the end padding so a `valid` window gives
 * ONNX's ceil-mode output size. Returns null for `mode` when the output size cannot be matched.
 * @example
 * resolvePadding([16, 16], { kernel: [3, 3], stride: [2, 2], dilation: [1, 1], pads: [1, 1, 1, 1], autoPad: 'NOTSET' })
 * // { mode: 'valid', explicit: [[1, 1], [1, 1]] } (TF.js 'same' would pad 0 before, 1 after)
 */
export function resolvePadding(
  size: readonly [number, number],
  o: { kernel: readonly number[]; stride: readonly number[]; dilation: readonly number[]; pads: readonly number[]; autoPad: string; ceil?: boolean },
): SpatialPadding & { out: [number, number] } {
  const axes: AxisWindow[] = [0, 1].map((i) => {
    const base = { size: size[i], kernel: o.kernel[i], stride: o.stride[i], dilation: o.dilation[i], padBegin: o.pads[i] ?? 0, padEnd: o.pads[i + 2] ?? 0 };
    if (o.autoPad !== 'NOTSET' && o.autoPad !== '') {
      const [padBegin, padEnd] = autoPads(base, o.autoPad);
      return { ...base, padBegin, padEnd };
    }
    return base;
  });
  const out = axes.map((a) => onnxOutput(a, !!o.ceil)) as [number, number];
  const noPad = axes.every((a) => a.padBegin === 0 && a.padEnd === 0);
  const validOut = axes.map((a) => onnxOutput({ ...a, padBegin: 0, padEnd: 0 }, false));
  if (noPad && validOut[0] === out[0] && validOut[1] === out[1]) return { mode: 'valid', out };
  const same = axes.map(sameOf);
  if (axes.every((a, i) => same[i].out === out[i] && same[i].begin === a.padBegin)) return { mode: 'same', out };
  // Explicit zero padding, end padding sized so that a valid window yields exactly `out` positions.
  const explicit = axes.map((a, i) => {
    const needed = (out[i] - 1) * a.stride + (a.kernel - 1) * a.dilation + 1 - a.size - a.padBegin;
    return [a.padBegin, Math.max(needed, 0)] as [number, number];
  }) as [[number, number], [number, number]];
  return { mode: 'valid', explicit, out };
}
