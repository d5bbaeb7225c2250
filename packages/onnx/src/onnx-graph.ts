import { ProtoWriter } from './protobuf.js';

/** ONNX tensor element types used here. */
export const FLOAT = 1;
export const INT64 = 7;

/** An attribute value: number (int unless `float`), number[] (ints), string, or a tagged float/floats. */
export type AttributeValue = number | readonly number[] | string | { readonly float: number } | { readonly floats: readonly number[] };

/** One ONNX node. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** One initializer (a constant tensor). */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof FLOAT | typeof INT64;
  readonly values: Float32Array | BigInt64Array;
}

/** A float graph input or output: name and shape (a string is a symbolic dimension; null is the symbolic `batch`). */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly (number | string | null)[];
}

/** A whole ONNX graph. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.message(5, (a) => {
    a.string(1, name);
    if (typeof value === 'string') a.bytes(4, new TextEncoder().encode(value)).int(20, 3);
    else if (typeof value === 'number') a.int(3, value).int(20, 2);
    else if (Array.isArray(value)) {
      for (const v of value) a.int(8, v);
      a.int(20, 7);
    } else if ('float' in (value as object)) a.float(2, (value as { float: number }).float).int(20, 1);
    else {
      for (const v of (value as { floats: number[] }).floats) a.float(7, v);
      a.int(20, 6);
    }
  });
}

function writeTensor(w: ProtoWriter, field: number, t: OnnxTensor): void {
  w.message(field, (m) => {
    for (const d of t.dims) m.int(1, d);
    m.int(2, t.type);
    m.string(8, t.name);
    m.bytes(9, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
  });
}

function writeValue(w: ProtoWriter, field: number, v: OnnxValue): void {
  w.message(field, (m) => {
    m.string(1, v.name);
    m.message(2, (type) =>
      type.message(1, (tensor) => {
        tensor.int(1, FLOAT);
        tensor.message(2, (shape) => {
          for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d ?? 'batch')));
        });
      }),
    );
  });
}

/**
 * Serialise a graph as an ONNX ModelProto (IR version 8, default-domain opset `opset`).
 * @example
 * const bytes = encodeModel(graph, 17); await writeFile('model.onnx', bytes);
 */
export function encodeModel(graph: OnnxGraph, opset: number): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8);
  w.string(2, 'omniprune');
  w.string(3, '0.1.0');
  w.message(7, (g) => {
    for (const n of graph.nodes) {
      g.message(1, (node) => {
        for (const i of n.inputs) node.string(1, i);
        for (const o of n.outputs) node.string(2, o);
        node.string(3, n.name);
        node.string(4, n.op);
        for (const [k, v] of Object.entries(n.attributes ?? {})) writeAttribute(node, k, v);
      });
    }
    g.string(2, graph.name);
    for (const t of graph.initializers) writeTensor(g, 5, t);
    for (const i of graph.inputs) writeValue(g, 11, i);
    for (const o of graph.outputs) writeValue(g, 12, o);
  });
  w.message(8, (o) => o.string(1, '').int(2, opset));
  return w.finish();
}
