import { DTYPE, isFloatType, type ConstTensor } from './onnx-tensor.js';
import type { DecodedNode, OnnxAttribute } from './onnx-model.js';

/**
 * Constant folding of the small shape computations exporters emit (torch's `x.view(x.size(0), -1)` becomes
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape). Integer tensors are float64 with `NaN` for a value not known
 * at import time: the batch size read by `Shape`, which stays symbolic.
 */

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** A constant with `dims` and `values`, of float type when `float`. */
export function makeConst(dims: readonly number[], values: ArrayLike<number>, float: boolean, name = ''): ConstTensor {
  return { name, dims: [...dims], dataType: float ? DTYPE.FLOAT : DTYPE.INT64, values: float ? Float32Array.from(values) : Float64Array.from(values) };
}

const isFloat = (t: ConstTensor): boolean => isFloatType(t.dataType);
const axisOf = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Gather `indices` of `data` along `axis`. */
function gather(data: ConstTensor, indices: ConstTensor, axis: number): ConstTensor {
  const a = axisOf(axis, data.dims.length);
  const outer = prod(data.dims.slice(0, a));
  const n = data.dims[a];
  const inner = prod(data.dims.slice(a + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.values) {
      const i = raw < 0 ? raw + n : raw;
      if (!(i >= 0 && i < n)) throw new Error(`Gather index ${raw} out of range for a dimension of ${n}`);
      for (let k = 0; k < inner; k++) out.push(data.values[(o * n + i) * inner + k]);
    }
  }
  return makeConst([...data.dims.slice(0, a), ...indices.dims, ...data.dims.slice(a + 1)], out, isFloat(data));
}

/** Copy of `t` with other dims (same element count). */
const reshaped = (t: ConstTensor, dims: readonly number[]): ConstTensor => ({ ...t, name: '', dims: [...dims] });

function concat(parts: readonly ConstTensor[], axis: number): ConstTensor {
  const rank = parts[0].dims.length;
  const a = axisOf(axis, rank);
  const outer = prod(parts[0].dims.slice(0, a));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = prod(p.dims.slice(a));
      for (let k = 0; k < chunk; k++) out.push(p.values[o * chunk + k]);
    }
  }
  const dims = [...parts[0].dims];
  dims[a] = parts.reduce((s, p) => s + p.dims[a], 0);
  return makeConst(dims, out, parts.some(isFloat));
}

function slice(data: ConstTensor, starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined): ConstTensor {
  const rank = data.dims.length;
  const begin = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  const size = [...data.dims];
  (axes ?? starts.map((_, i) => i)).forEach((ax, i) => {
    const a = axisOf(ax, rank);
    const n = data.dims[a];
    const st = steps?.[i] ?? 1;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
    const s = st > 0 ? clamp(starts[i], 0, n) : clamp(starts[i], 0, n - 1);
    const e = st > 0 ? clamp(ends[i], 0, n) : ends[i] < -n ? -1 : clamp(ends[i], -1, n - 1);
    begin[a] = s;
    step[a] = st;
    size[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  const inStrides = stridesOf(data.dims);
  const out: number[] = [];
  const idx = new Array<number>(rank).fill(0);
  const total = prod(size);
  for (let k = 0; k < total; k++) {
    let rem = k;
    let off = 0;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rem % size[d];
      rem = Math.floor(rem / size[d]);
      off += (begin[d] + idx[d] * step[d]) * inStrides[d];
    }
    out.push(data.values[off]);
  }
  return makeConst(size, out, isFloat(data));
}

/** Transpose a constant (also used for weights). */
export function transposeConst(data: ConstTensor, perm: readonly number[]): ConstTensor {
  const dims = perm.map((p) => data.dims[p]);
  const inStrides = stridesOf(data.dims);
  const outStrides = stridesOf(dims);
  const out = isFloat(data) ? new Float32Array(data.values.length) : new Float64Array(data.values.length);
  const rank = dims.length;
  for (let k = 0; k < out.length; k++) {
    let rem = k;
    let off = 0;
    for (let d = 0; d < rank; d++) {
      const i = Math.floor(rem / outStrides[d]);
      rem -= i * outStrides[d];
      off += i * inStrides[perm[d]];
    }
    out[k] = data.values[off];
  }
  return { name: '', dims, dataType: data.dataType, values: out };
}

/** Resolve a Reshape target (0 copies the input dim unless `allowzero`, one -1 is inferred). */
export function resolveReshape(inDims: readonly number[], target: readonly number[], allowZero = false): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? inDims[i] : d));
  const known = prod(dims.filter((d) => d !== -1));
  return dims.map((d) => (d === -1 ? prod(inDims) / known : d));
}

function broadcastBinary(a: ConstTensor, b: ConstTensor, fn: (x: number, y: number) => number, float: boolean): ConstTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: readonly number[]) => [...new Array<number>(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => Math.max(x, db[i]));
  const sa = stridesOf(da).map((s, i) => (da[i] === 1 ? 0 : s));
  const sb = stridesOf(db).map((s, i) => (db[i] === 1 ? 0 : s));
  const total = prod(dims);
  const out: number[] = [];
  for (let k = 0; k < total; k++) {
    let rem = k;
    let oa = 0;
    let ob = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % dims[d];
      rem = Math.floor(rem / dims[d]);
      oa += i * sa[d];
      ob += i * sb[d];
    }
    out.push(fn(a.values[oa], b.values[ob]));
  }
  return makeConst(dims, out, float);
}

const BINARY: Readonly<Record<string, (x: number, y: number, float: boolean) => number>> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y, float) => (float ? x / y : Math.trunc(x / y)),
  Pow: (x, y) => x ** y,
  Max: (x, y) => Math.max(x, y),
  Min: (x, y) => Math.min(x, y),
  Equal: (x, y) => Number(x === y),
  Less: (x, y) => Number(x < y),
  Greater: (x, y) => Number(x > y),
};

const ints = (t: ConstTensor | undefined): number[] | undefined => (t ? Array.from(t.values) : undefined);
const attrInts = (node: DecodedNode, name: string): number[] | undefined => {
  const a = node.attributes.get(name);
  return a ? [...a.ints] : undefined;
};

function constantValue(node: DecodedNode): ConstTensor | undefined {
  const get = (k: string): OnnxAttribute | undefined => node.attributes.get(k);
  if (get('value')?.t) return get('value')!.t;
  if (get('value_float')) return makeConst([], [get('value_float')!.f ?? 0], true);
  if (get('value_floats')) return makeConst([get('value_floats')!.floats.length], get('value_floats')!.floats, true);
  if (get('value_int')) return makeConst([], [get('value_int')!.i ?? 0], false);
  if (get('value_ints')) return makeConst([get('value_ints')!.ints.length], get('value_ints')!.ints, false);
  return undefined;
}

/**
 * Evaluate `node` on constant inputs (`undefined` for an omitted optional input). Returns its output constants,
 * or `undefined` when the op is not one folded here.
 * @example
 * foldConstant(unsqueezeNode, [batchScalar], 13) // [ConstTensor dims [1]]
 */
export function foldConstant(node: DecodedNode, inputs: readonly (ConstTensor | undefined)[], opset: number): ConstTensor[] | undefined {
  const [x, y] = inputs;
  const attr = (k: string): OnnxAttribute | undefined => node.attributes.get(k);
  const axis = attr('axis')?.i ?? 0;
  switch (node.opType) {
    case 'Constant': {
      const v = constantValue(node);
      return v ? [v] : undefined;
    }
    case 'Identity':
      return [x!];
    case 'Cast': {
      const to = attr('to')?.i ?? DTYPE.FLOAT;
      const float = isFloatType(to);
      const values = !float && isFloat(x!) ? Array.from(x!.values, Math.trunc) : x!.values;
      return [{ ...makeConst(x!.dims, values, float), dataType: to }];
    }
    case 'Shape': {
      const start = attr('start')?.i ?? 0;
      const end = attr('end')?.i;
      const dims = x!.dims.slice(start, end);
      return [makeConst([dims.length], dims, false)];
    }
    case 'Size':
      return [makeConst([], [prod(x!.dims)], false)];
    case 'Gather':
      return [gather(x!, y!, axis)];
    case 'Unsqueeze': {
      const axes = (opset >= 13 ? ints(y) : attrInts(node, 'axes')) ?? [];
      const rank = x!.dims.length + axes.length;
      const norm = new Set(axes.map((a) => axisOf(a, rank)));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) dims.push(norm.has(i) ? 1 : x!.dims[k++]);
      return [reshaped(x!, dims)];
    }
    case 'Squeeze': {
      const axes = (opset >= 13 ? ints(y) : attrInts(node, 'axes'))?.map((a) => axisOf(a, x!.dims.length));
      return [
        reshaped(
          x!,
          x!.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)),
        ),
      ];
    }
    case 'Concat':
      return [
        concat(
          inputs.filter((t): t is ConstTensor => !!t),
          axis,
        ),
      ];
    case 'Reshape':
      return [reshaped(x!, resolveReshape(x!.dims, ints(y)!, (attr('allowzero')?.i ?? 0) === 1))];
    case 'Flatten': {
      const a = axisOf(attr('axis')?.i ?? 1, x!.dims.length);
      return [reshaped(x!, [prod(x!.dims.slice(0, a)), prod(x!.dims.slice(a))])];
    }
    case 'Transpose':
      return [transposeConst(x!, attrInts(node, 'perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i))];
    case 'Slice':
      return opset >= 10
        ? [slice(x!, ints(inputs[1])!, ints(inputs[2])!, ints(inputs[3]), ints(inputs[4]))]
        : [slice(x!, attrInts(node, 'starts')!, attrInts(node, 'ends')!, attrInts(node, 'axes'), undefined)];
    case 'ConstantOfShape': {
      const v = attr('value')?.t ?? makeConst([1], [0], true);
      const dims = Array.from(x!.values);
      return [{ ...makeConst(dims, new Array<number>(prod(dims)).fill(v.values[0]), isFloat(v)), dataType: v.dataType }];
    }
    case 'Range': {
      const [start, limit, delta] = inputs.map((t) => t!.values[0]);
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      return [
        makeConst(
          [n],
          Array.from({ length: n }, (_, i) => start + i * delta),
          isFloat(x!),
        ),
      ];
    }
    case 'Neg':
      return [
        makeConst(
          x!.dims,
          Array.from(x!.values, (v) => -v),
          isFloat(x!),
        ),
      ];
    case 'Sqrt':
      return [makeConst(x!.dims, Array.from(x!.values, Math.sqrt), true)];
    case 'Where': {
      // Broadcast the condition against both branches, then pick element by element.
      const [a, b] = [inputs[1]!, inputs[2]!];
      const dims = broadcastBinary(
        broadcastBinary(x!, a, () => 0, false),
        b,
        () => 0,
        false,
      ).dims;
      const expand = (t: ConstTensor) =>
        broadcastBinary(t, makeConst(dims, new Array<number>(dims.reduce((p, d) => p * d, 1)).fill(0), false), (v) => v, isFloat(t));
      const [c, ea, eb] = [expand(x!), expand(a), expand(b)];
      return [
        makeConst(
          dims,
          Array.from(c.values, (v, i) => (v ? ea.values[i] : eb.values[i])),
          isFloat(a),
        ),
      ];
    }
    default: {
      const fn = BINARY[node.opType];
      if (!fn) return undefined;
      const float = isFloat(x!) || isFloat(y!);
      const cmp = ['Equal', 'Less', 'Greater'].includes(node.opType);
      return [{ ...broadcastBinary(x!, y!, (a, b) => fn(a, b, float), float && !cmp), ...(cmp ? { dataType: DTYPE.BOOL } : {}) }];
    }
  }
}
