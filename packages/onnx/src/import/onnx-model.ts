import { decodeTensor, type ConstTensor } from './onnx-tensor.js';
import { ProtoDecodeError, ProtoReader } from './proto-reader.js';

/** A node attribute. Only the fields its type uses are set. */
export interface OnnxAttribute {
  readonly name: string;
  /** `AttributeProto.AttributeType`: 1 float, 2 int, 3 string, 4 tensor, 5 graph, 6 floats, 7 ints, 8 strings, 9 tensors, 10 graphs. */
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly t?: ConstTensor;
  readonly g?: DecodedGraph;
  readonly floats: readonly number[];
  readonly ints: readonly number[];
  readonly strings: readonly string[];
  readonly tensors: readonly ConstTensor[];
  readonly graphs: readonly DecodedGraph[];
}

/** A graph node. */
export interface DecodedNode {
  readonly name: string;
  readonly opType: string;
  /** Operator domain (`''` = the default ONNX domain). */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** A graph input, output or value_info: element type and dims (numbers, symbolic names, or null when unknown). */
export interface DecodedValue {
  readonly name: string;
  /** Element type (`TensorProto.DataType`); 0 when not a tensor or not given. */
  readonly elemType: number;
  /** Dims, or undefined when the shape is unknown. */
  readonly dims?: readonly (number | string | null)[];
}

/** A decoded `GraphProto`. */
export interface DecodedGraph {
  readonly name: string;
  readonly nodes: readonly DecodedNode[];
  readonly initializers: readonly ConstTensor[];
  readonly inputs: readonly DecodedValue[];
  readonly outputs: readonly DecodedValue[];
  readonly valueInfo: readonly DecodedValue[];
}

/** A decoded `ModelProto`. */
export interface DecodedModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: DecodedGraph;
  /** Opset version by domain (`''` = default domain). */
  readonly opsets: ReadonlyMap<string, number>;
}

function decodeAttribute(r: ProtoReader): OnnxAttribute {
  const a = {
    name: '',
    type: 0,
    floats: [] as number[],
    ints: [] as number[],
    strings: [] as string[],
    tensors: [] as ConstTensor[],
    graphs: [] as DecodedGraph[],
  } as {
    -readonly [K in keyof OnnxAttribute]: OnnxAttribute[K] extends readonly (infer E)[] ? E[] : OnnxAttribute[K];
  };
  while (!r.done()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        a.name = r.string();
        break;
      case 20:
        a.type = r.varint();
        break;
      case 2:
        a.f = r.float();
        break;
      case 3:
        a.i = r.varint();
        break;
      case 4:
        a.s = r.string();
        break;
      case 5:
        a.t = decodeTensor(r.message());
        break;
      case 6:
        a.g = decodeGraph(r.message());
        break;
      case 7:
        r.packedFloats(wire, a.floats);
        break;
      case 8:
        r.packedVarints(wire, a.ints);
        break;
      case 9:
        a.strings.push(r.string());
        break;
      case 10:
        a.tensors.push(decodeTensor(r.message()));
        break;
      case 11:
        a.graphs.push(decodeGraph(r.message()));
        break;
      default:
        r.skip(wire);
    }
  }
  if (!a.type) {
    // Writers before IR 3 omit the type: infer it from the field that is set.
    a.type =
      a.f !== undefined
        ? 1
        : a.i !== undefined
          ? 2
          : a.s !== undefined
            ? 3
            : a.t
              ? 4
              : a.g
                ? 5
                : a.floats.length
                  ? 6
                  : a.ints.length
                    ? 7
                    : a.strings.length
                      ? 8
                      : 0;
  }
  return a;
}

function decodeNode(r: ProtoReader): DecodedNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, OnnxAttribute>();
  let name = '';
  let opType = '';
  let domain = '';
  while (!r.done()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        inputs.push(r.string());
        break;
      case 2:
        outputs.push(r.string());
        break;
      case 3:
        name = r.string();
        break;
      case 4:
        opType = r.string();
        break;
      case 7:
        domain = r.string();
        break;
      case 5: {
        const a = decodeAttribute(r.message());
        attributes.set(a.name, a);
        break;
      }
      default:
        r.skip(wire);
    }
  }
  if (!opType) throw new ProtoDecodeError(`node "${name}" has no op_type`);
  return { name, opType, domain, inputs, outputs, attributes };
}

function decodeShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (!r.done()) {
    const { field, wire } = r.key();
    if (field !== 1) {
      r.skip(wire);
      continue;
    }
    const d = r.message();
    let dim: number | string | null = null;
    while (!d.done()) {
      const k = d.key();
      if (k.field === 1) dim = d.varint();
      else if (k.field === 2) dim = d.string() || null;
      else d.skip(k.wire);
    }
    dims.push(dim);
  }
  return dims;
}

function decodeValue(r: ProtoReader): DecodedValue {
  let name = '';
  let elemType = 0;
  let dims: (number | string | null)[] | undefined;
  while (!r.done()) {
    const { field, wire } = r.key();
    if (field === 1) {
      name = r.string();
      continue;
    }
    if (field !== 2) {
      r.skip(wire);
      continue;
    }
    const type = r.message();
    while (!type.done()) {
      const k = type.key();
      if (k.field !== 1) {
        type.skip(k.wire);
        continue;
      }
      const tensor = type.message();
      while (!tensor.done()) {
        const t = tensor.key();
        if (t.field === 1) elemType = tensor.varint();
        else if (t.field === 2) dims = decodeShape(tensor.message());
        else tensor.skip(t.wire);
      }
    }
  }
  return { name, elemType, dims };
}

function decodeGraph(r: ProtoReader): DecodedGraph {
  const g = {
    name: '',
    nodes: [] as DecodedNode[],
    initializers: [] as ConstTensor[],
    inputs: [] as DecodedValue[],
    outputs: [] as DecodedValue[],
    valueInfo: [] as DecodedValue[],
  };
  while (!r.done()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        g.nodes.push(decodeNode(r.message()));
        break;
      case 2:
        g.name = r.string();
        break;
      case 5:
        g.initializers.push(decodeTensor(r.message()));
        break;
      case 11:
        g.inputs.push(decodeValue(r.message()));
        break;
      case 12:
        g.outputs.push(decodeValue(r.message()));
        break;
      case 13:
        g.valueInfo.push(decodeValue(r.message()));
        break;
      case 15:
        throw new ProtoDecodeError('sparse initializers are not supported');
      default:
        r.skip(wire);
    }
  }
  return g;
}

/**
 * Decode an ONNX `ModelProto` (what a `.onnx` file holds). Bytes that are not one (truncated, garbage, no graph or
 * opset) throw a {@link ProtoDecodeError}.
 * @example
 * const model = decodeModel(new Uint8Array(await readFile('m.onnx')));
 * model.graph.nodes.map((n) => n.opType);
 */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const r = new ProtoReader(bytes);
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let graph: DecodedGraph | undefined;
  const opsets = new Map<string, number>();
  while (!r.done()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        irVersion = r.varint();
        break;
      case 2:
        producerName = r.string();
        break;
      case 3:
        producerVersion = r.string();
        break;
      case 7:
        graph = decodeGraph(r.message());
        break;
      case 8: {
        const o = r.message();
        let domain = '';
        let version = 0;
        while (!o.done()) {
          const k = o.key();
          if (k.field === 1) domain = o.string();
          else if (k.field === 2) version = o.varint();
          else o.skip(k.wire);
        }
        opsets.set(domain === 'ai.onnx' ? '' : domain, version);
        break;
      }
      default:
        r.skip(wire);
    }
  }
  if (!graph) throw new ProtoDecodeError('no graph in the file (not an ONNX model, or truncated)');
  if (!opsets.has('')) throw new ProtoDecodeError('no default-domain opset_import (not an ONNX model, or truncated)');
  if (irVersion <= 0) throw new ProtoDecodeError('no ir_version (not an ONNX model, or truncated)');
  return { irVersion, producerName, producerVersion, graph, opsets };
}
