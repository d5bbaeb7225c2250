/** A protocol-buffers wire-format reader for ONNX's ModelProto (varint, 64-bit, length-delimited, 32-bit fields). */

/** Thrown for bytes that are not valid protobuf (truncated, bad wire type); the importer turns it into `E_CORRUPT_FILE`. */
export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoDecodeError';
  }
}

/** Wire types of the protobuf encoding. */
export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** One field as read off the wire: its number, wire type and where its value is. */
export interface ProtoField {
  readonly field: number;
  readonly wire: number;
}

/**
 * Reads one message's bytes field by field. Integers come back as JS numbers (int64 beyond 2^53 loses precision,
 * which ONNX shapes, attributes and indices never need; negative varints are read as two's complement).
 * @example
 * const r = new ProtoReader(bytes);
 * while (!r.done()) { const { field, wire } = r.key(); if (field === 1) r.varint(); else r.skip(wire); }
 */
export class ProtoReader {
  private pos: number;
  private readonly end: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** True when the message has no more fields. */
  done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) throw new ProtoDecodeError(`${what} runs past the end of the data at byte ${this.pos} (truncated file?)`);
  }

  /** The next field's number and wire type. */
  key(): ProtoField {
    const k = this.varint();
    const field = Math.floor(k / 8);
    const wire = k % 8;
    if (field === 0 || ![0, 1, 2, 5].includes(wire)) throw new ProtoDecodeError(`invalid field key ${k} at byte ${this.pos} (not protobuf, or corrupt)`);
    return { field, wire };
  }

  /** A varint as a number (int32/int64/enum/bool; negative values from their 10-byte two's complement). */
  varint(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      this.need(1, 'a varint');
      if (i >= 10) throw new ProtoDecodeError(`varint longer than 10 bytes at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (!(b & 0x80)) break;
    }
    lo >>>= 0;
    return hi & 0x80000000 ? -((~hi >>> 0) * 2 ** 32 + (~lo >>> 0) + 1) : (hi >>> 0) * 2 ** 32 + lo;
  }

  /** A 32-bit float. */
  float(): number {
    this.need(4, 'a float');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A 64-bit double. */
  double(): number {
    this.need(8, 'a double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's bytes (a view into the buffer, not a copy). */
  bytes(): Uint8Array {
    const n = this.varint();
    this.need(n, `a ${n}-byte field`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A UTF-8 string field. */
  string(): string {
    return new TextDecoder('utf-8').decode(this.bytes());
  }

  /** An embedded message: a reader over its bytes. */
  message(): ProtoReader {
    const b = this.bytes();
    return new ProtoReader(b);
  }

  /** A repeated varint field, packed (wire 2) or one element (wire 0). */
  packedVarints(wire: number, out: number[]): void {
    if (wire !== WIRE.LEN) {
      out.push(this.varint());
      return;
    }
    const r = this.message();
    while (!r.done()) out.push(r.varint());
  }

  /** A repeated float field, packed (wire 2) or one element (wire 5). */
  packedFloats(wire: number, out: number[]): void {
    if (wire !== WIRE.LEN) {
      out.push(this.float());
      return;
    }
    const b = this.bytes();
    if (b.length % 4) throw new ProtoDecodeError(`packed floats of ${b.length} bytes (not a multiple of 4)`);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < b.length; i += 4) out.push(v.getFloat32(i, true));
  }

  /** A repeated double field, packed (wire 2) or one element (wire 1). */
  packedDoubles(wire: number, out: number[]): void {
    if (wire !== WIRE.LEN) {
      out.push(this.double());
      return;
    }
    const b = this.bytes();
    if (b.length % 8) throw new ProtoDecodeError(`packed doubles of ${b.length} bytes (not a multiple of 8)`);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < b.length; i += 8) out.push(v.getFloat64(i, true));
  }

  /** Skip a field of wire type `wire`. */
  skip(wire: number): void {
    if (wire === WIRE.VARINT) this.varint();
    else if (wire === WIRE.I64) {
      this.need(8, 'a 64-bit field');
      this.pos += 8;
    } else if (wire === WIRE.LEN) this.bytes();
    else if (wire === WIRE.I32) {
      this.need(4, 'a 32-bit field');
      this.pos += 4;
    } else throw new ProtoDecodeError(`unsupported wire type ${wire}`);
  }
}
