import { FLOAT, INT64, type AttributeValue, type OnnxNode, type OnnxTensor } from './onnx-graph.js';

/** Layout of an exported tensor: `nchw` for 4-D images inside the graph, `plain` for everything else (TF.js order). */
export type Layout = 'nchw' | 'plain';

/** A tensor of the graph being built. */
export interface Sym {
  readonly name: string;
  readonly layout: Layout;
  /** Rank including the batch axis. */
  readonly rank: number;
}

/** Accumulates nodes and constants with unique names. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private count = 0;

  private fresh(base: string): string {
    return `${base}__${this.count++}`;
  }

  /** A float constant. */
  floats(base: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, type: FLOAT, values: Float32Array.from(values) });
    return name;
  }

  /** An int64 constant (shapes, axes, pads). */
  ints(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [values.length], type: INT64, values: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return name;
  }

  /** Add a node; returns its (first) output name, `out` when given. */
  op(op: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, out?: string): string {
    const output = out ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [output], name: this.fresh(`${op}`), attributes });
    return output;
  }

  /** The same tensor in NHWC (`plain`) order. */
  toPlain(x: Sym): Sym {
    return x.layout === 'plain' ? x : { name: this.op('Transpose', [x.name], { perm: [0, 2, 3, 1] }), layout: 'plain', rank: x.rank };
  }

  /** A 4-D tensor in NCHW order. */
  toNchw(x: Sym): Sym {
    if (x.layout === 'nchw') return x;
    if (x.rank !== 4) throw new Error(`expected a 4-D image tensor, got rank ${x.rank}`);
    return { name: this.op('Transpose', [x.name], { perm: [0, 3, 1, 2] }), layout: 'nchw', rank: 4 };
  }
}
