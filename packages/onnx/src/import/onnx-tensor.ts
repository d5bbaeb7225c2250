import { OmnipruneError } from '@omniprune/core';
import { ProtoDecodeError, type ProtoReader } from './proto-reader.js';

/** ONNX `TensorProto.DataType` values the importer reads. */
export const DTYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

const FLOAT_TYPES: ReadonlySet<number> = new Set([DTYPE.FLOAT, DTYPE.FLOAT16, DTYPE.DOUBLE, DTYPE.BFLOAT16]);

/** A decoded constant tensor: floating types as float32, integer and bool types as float64 (exact below 2^53). */
export interface ConstTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** ONNX data type of the original. */
  readonly dataType: number;
  /** Row-major values. */
  readonly values: Float32Array | Float64Array;
}

/** True for ONNX floating-point data types. */
export function isFloatType(dataType: number): boolean {
  return FLOAT_TYPES.has(dataType);
}

/** Bits of an IEEE half float -> number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function fromRaw(raw: Uint8Array, dataType: number): ArrayLike<number> {
  const aligned = raw.slice();
  const buf = aligned.buffer;
  const v = new DataView(buf);
  const n = (size: number): number => {
    if (raw.length % size) throw new ProtoDecodeError(`raw_data of ${raw.length} bytes is not a whole number of ${size}-byte elements`);
    return raw.length / size;
  };
  switch (dataType) {
    case DTYPE.FLOAT:
      return new Float32Array(buf, 0, n(4));
    case DTYPE.DOUBLE:
      return new Float64Array(buf, 0, n(8));
    case DTYPE.INT64:
      return Array.from(new BigInt64Array(buf, 0, n(8)), Number);
    case DTYPE.UINT64:
      return Array.from(new BigUint64Array(buf, 0, n(8)), Number);
    case DTYPE.INT32:
      return new Int32Array(buf, 0, n(4));
    case DTYPE.UINT32:
      return new Uint32Array(buf, 0, n(4));
    case DTYPE.INT16:
      return new Int16Array(buf, 0, n(2));
    case DTYPE.UINT16:
      return new Uint16Array(buf, 0, n(2));
    case DTYPE.INT8:
      return new Int8Array(buf, 0, n(1));
    case DTYPE.UINT8:
    case DTYPE.BOOL:
      return new Uint8Array(buf, 0, n(1));
    case DTYPE.FLOAT16:
      return Array.from({ length: n(2) }, (_, i) => halfToFloat(v.getUint16(2 * i, true)));
    case DTYPE.BFLOAT16:
      return Array.from({ length: n(2) }, (_, i) => new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0]);
    default:
      throw new ProtoDecodeError(`tensor data type ${dataType} is not supported`);
  }
}

/**
 * Decode a `TensorProto` (dims, data_type, raw_data or the typed *_data fields). Weights stored outside the file
 * (external data) are an `E_UNSUPPORTED_MODEL` error naming the tensor.
 * @example
 * const t = decodeTensor(reader.message()); t.dims; t.values;
 */
export function decodeTensor(r: ProtoReader): ConstTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  let external = false;
  const floats: number[] = [];
  const ints: number[] = [];
  while (!r.done()) {
    const { field, wire } = r.key();
    switch (field) {
      case 1:
        r.packedVarints(wire, dims);
        break;
      case 2:
        dataType = r.varint();
        break;
      case 4:
        r.packedFloats(wire, floats);
        break;
      case 5:
      case 7:
      case 11:
        r.packedVarints(wire, ints);
        break;
      case 8:
        name = r.string();
        break;
      case 9:
        raw = r.bytes();
        break;
      case 10:
        r.packedDoubles(wire, floats);
        break;
      case 13:
        external = true;
        r.skip(wire);
        break;
      case 14:
        if (r.varint() === 1) external = true;
        break;
      default:
        r.skip(wire);
    }
  }
  if (external) {
    throw new OmnipruneError('E_UNSUPPORTED_MODEL', `tensor "${name}" is stored outside the .onnx file (external data)`, {
      plugin: 'onnx',
      hint: 'save the model with its weights inside: onnx.save(onnx.load("m.onnx"), "single.onnx", save_as_external_data=False) (models under 2 GB)',
    });
  }
  const count = dims.reduce((a, b) => a * b, 1);
  let data: ArrayLike<number>;
  if (raw) data = fromRaw(raw, dataType);
  else if (dataType === DTYPE.FLOAT16) data = ints.map(halfToFloat);
  else if (dataType === DTYPE.BFLOAT16) data = ints.map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]);
  else data = isFloatType(dataType) ? floats : ints;
  if (data.length !== count) {
    if (dataType === DTYPE.STRING) return { name, dims, dataType, values: new Float64Array(count) };
    throw new ProtoDecodeError(`tensor "${name}" has ${data.length} values for dims [${dims.join(', ')}] (${count} expected)`);
  }
  const values = isFloatType(dataType) ? Float32Array.from(data) : Float64Array.from(data);
  return { name, dims, dataType, values };
}
