import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '@omniprune/core';
import type { ConstTensor } from './onnx-tensor.js';
import type { DecodedNode, OnnxAttribute } from './onnx-model.js';
import { LayerNamer, readableName } from './layer-names.js';

/**
 * A computed tensor of the ONNX graph, held as a TF.js symbolic tensor. ONNX images `[N, C, H, W]` are NHWC in
 * TF.js; `[N, C, 1, 1]` may be held as `[N, C]` (`squeezed`, what global pooling gives); a flattened image is in
 * TF.js's HWC order (`hwc`) until a Dense reads it with its rows reordered.
 */
export interface TensorValue {
  readonly kind: 'tensor';
  readonly sym: tfl.SymbolicTensor;
  /** ONNX dims without the batch axis (`[C, H, W]` for images, `[F]` for features). */
  readonly dims: readonly number[];
  /** An ONNX `[C, 1, 1]` held as TF.js `[C]`. */
  readonly squeezed?: boolean;
  /** A flattened ONNX `[C, H, W]` whose features are in HWC order (TF.js Flatten), not ONNX's CHW. */
  readonly hwc?: readonly [number, number, number];
  /** True when every element is >= 0 (after ReLU, sigmoid, ...): zero padding then equals max-pool padding. */
  readonly nonNegative?: boolean;
}

/** A constant (initializer or folded shape computation). */
export interface ConstValue {
  readonly kind: 'const';
  readonly tensor: ConstTensor;
}

/** Any ONNX value during import. */
export type Value = TensorValue | ConstValue;

/** Index of ONNX feature `(c, h, w)` for each TF.js feature position in HWC order. */
export function hwcToChw([c, h, w]: readonly [number, number, number]): Int32Array {
  const map = new Int32Array(c * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) map[(y * w + x) * c + k] = (k * h + y) * w + x;
  return map;
}

/** State of one import: values by ONNX name, layer names, notes. */
export class ImportContext {
  readonly values = new Map<string, Value>();
  readonly notes = new Set<string>();
  /** How many times each kind of rewrite happened (for the notes). */
  readonly counts = new Map<string, number>();
  private readonly namer = new LayerNamer();
  private readonly layers: tfl.layers.Layer[] = [];
  private readonly images = new WeakMap<TensorValue, tfl.SymbolicTensor>();
  private readonly chw = new WeakMap<TensorValue, tfl.SymbolicTensor>();

  constructor(
    readonly opset: number,
    readonly fixedBatch: number | null,
  ) {}

  /** True when `name` (sanitised) is already a layer name. */
  isTaken(name: string): boolean {
    return this.namer.isTaken(name);
  }

  /** A unique layer name. */
  uniqueName(base: string): string {
    return this.namer.unique(base);
  }

  /** Count a rewrite of kind `what`. */
  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  /** Apply `layer` to `input`, then set its weights (disposing the given tensors). */
  apply(layer: tfl.layers.Layer, input: tfl.SymbolicTensor | tfl.SymbolicTensor[], weights?: tf.Tensor[]): tfl.SymbolicTensor {
    try {
      const out = layer.apply(input) as tfl.SymbolicTensor;
      this.layers.push(layer);
      if (weights) layer.setWeights(weights);
      return out;
    } finally {
      for (const w of weights ?? []) w.dispose();
    }
  }

  /** Free the weights of every layer created so far (after a failed import). */
  disposeLayers(): void {
    for (const layer of this.layers) {
      try {
        layer.dispose();
      } catch {
        // not built or already disposed: nothing held
      }
    }
  }

  /** The NHWC 4-D symbolic tensor of an image value (a squeezed `[C]` gets a Reshape to `[1, 1, C]`). */
  image(v: TensorValue, name: string): tfl.SymbolicTensor {
    if (v.dims.length !== 3) throw new Error(`expected an image, got dims [${v.dims.join(', ')}]`);
    if (!v.squeezed) return v.sym;
    let s = this.images.get(v);
    if (!s) {
      s = this.apply(tfl.layers.reshape({ name: this.uniqueName(`${name}_reshape`), targetShape: [1, 1, v.dims[0]] }), v.sym);
      this.images.set(v, s);
    }
    return s;
  }

  /** The 2-D symbolic tensor of a feature value with features in ONNX (CHW) order. */
  features(v: TensorValue, name: string): tfl.SymbolicTensor {
    if (!v.hwc || v.hwc[1] * v.hwc[2] === 1) return v.sym;
    let s = this.chw.get(v);
    if (!s) {
      const [c, h, w] = v.hwc;
      const image = this.apply(tfl.layers.reshape({ name: this.uniqueName(`${name}_unflatten`), targetShape: [h, w, c] }), v.sym);
      const nchw = this.apply(tfl.layers.permute({ name: this.uniqueName(`${name}_to_chw`), dims: [3, 1, 2] }), image);
      s = this.apply(tfl.layers.flatten({ name: this.uniqueName(`${name}_flatten_chw`) }), nchw);
      this.chw.set(v, s);
      this.notes.add('a flattened image read by something other than a dense layer was reordered to CHW with a Permute layer (its channels cannot be pruned)');
    }
    return s;
  }
}

/** One node being converted: its inputs and attributes, with checks that name the node. */
export class NodeArgs {
  private baseName: string | undefined;

  constructor(
    readonly node: DecodedNode,
    readonly ctx: ImportContext,
  ) {}

  /** The value of input `i`; undefined when absent (optional inputs are empty names). */
  input(i: number): Value | undefined {
    const name = this.node.inputs[i];
    if (!name) return undefined;
    const v = this.ctx.values.get(name);
    if (!v)
      throw this.unsupported(
        `input "${name}" is not produced by any node, initializer or graph input`,
        'the graph is not topologically sorted or refers to a missing value; re-export it',
      );
    return v;
  }

  /** Input `i` as a computed tensor. */
  tensor(i: number): TensorValue {
    const v = this.input(i);
    if (!v) throw this.unsupported(`input ${i} is missing`);
    if (v.kind !== 'tensor') throw this.unsupported(`input ${i} ("${this.node.inputs[i]}") is a constant where a computed tensor is expected`);
    return v;
  }

  /** Input `i` as a computed image tensor (ONNX `[N, C, H, W]`). */
  imageTensor(i: number): TensorValue {
    const v = this.tensor(i);
    if (v.dims.length !== 3) throw this.unsupported(`input ${i} has rank ${v.dims.length + 1}; only 4-D [N, C, H, W] images are supported here`);
    return v;
  }

  /** Input `i` as a constant (weights, shapes); undefined when absent. */
  constant(i: number): ConstTensor | undefined {
    const v = this.input(i);
    if (!v) return undefined;
    if (v.kind !== 'const')
      throw this.unsupported(`input ${i} ("${this.node.inputs[i]}") is computed at run time; it must be a constant (weights stored in the file)`);
    return v.tensor;
  }

  private attr(name: string): OnnxAttribute | undefined {
    return this.node.attributes.get(name);
  }

  /** Int attribute `name`, or `fallback`. */
  int(name: string, fallback: number): number {
    return this.attr(name)?.i ?? fallback;
  }

  /** Float attribute `name`, or `fallback`. */
  float(name: string, fallback: number): number {
    return this.attr(name)?.f ?? fallback;
  }

  /** Ints attribute `name`, or undefined when absent. */
  ints(name: string): number[] | undefined {
    const a = this.attr(name);
    return a ? [...a.ints] : undefined;
  }

  /** String attribute `name`, or `fallback`. */
  string(name: string, fallback: string): string {
    return this.attr(name)?.s ?? fallback;
  }

  /** A unique layer name for this node (`suffix` for a helper layer: `<name>_<suffix>`). */
  name(suffix?: string): string {
    if (!this.baseName) {
      // Several ops of one PyTorch module (Pad + AveragePool): the later ones get their op type appended.
      const readable = readableName(this.node.name, this.node.opType);
      this.baseName = this.ctx.uniqueName(this.ctx.isTaken(readable) ? `${readable}_${this.node.opType.toLowerCase()}` : readable);
    }
    return suffix ? this.ctx.uniqueName(`${this.baseName}_${suffix}`) : this.baseName;
  }

  /** The `E_UNSUPPORTED_ONNX_OP` error for this node. */
  unsupported(what: string, hint?: string): OmnipruneError {
    const { opType, name } = this.node;
    return new OmnipruneError('E_UNSUPPORTED_ONNX_OP', `cannot import ONNX node "${name || '(unnamed)'}" (${opType}): ${what}`, {
      plugin: 'onnx',
      hint:
        hint ??
        'omniprune imports CNN classifiers (conv, batch norm, pooling, activations, add/mul/concat, flatten, linear); replace this op in the PyTorch model or export it differently, then import again',
    });
  }
}
