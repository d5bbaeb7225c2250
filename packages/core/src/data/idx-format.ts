import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { corruptFile, fileNotFound, isMissingFileError } from './data-errors.js';

/** Magic number of an IDX file of unsigned-byte images (`0x00000803`, three dimensions). */
export const IDX3_UBYTE_MAGIC = 0x0803;
/** Magic number of an IDX file of unsigned-byte labels (`0x00000801`, one dimension). */
export const IDX1_UBYTE_MAGIC = 0x0801;

/** One decoded IDX array of unsigned bytes. */
export interface IdxArray {
  /** Dimensions from the header, e.g. `[60000, 28, 28]`. */
  readonly dims: readonly number[];
  /** Row-major values, `product(dims)` bytes (a view into the file buffer). */
  readonly data: Uint8Array;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const UBYTE_TYPE = 0x08;
const IDX_HINT = 'the file is truncated or not an MNIST-style IDX file: delete it and re-download it, or reinstall the Debian package dataset-fashion-mnist';

/**
 * Gunzip `bytes` when they start with the gzip magic `1f 8b`, else return them unchanged.
 * The file name is only used in error messages; detection never trusts the extension.
 * @param hint - what to tell the user when decompression fails; default: re-download advice
 * @example
 * const raw = maybeGunzip(await readFile('train-labels-idx1-ubyte.gz'), 'train-labels-idx1-ubyte.gz');
 */
export function maybeGunzip(bytes: Uint8Array, file: string, hint: string = IDX_HINT): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC_0 || bytes[1] !== GZIP_MAGIC_1) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw corruptFile(file, `gzip data cannot be decompressed (${(err as Error).message})`, hint, err);
  }
}

/**
 * Parse an IDX file of unsigned bytes (already gunzipped) and validate its header and size.
 * Supports only data type `0x08` (unsigned byte), which MNIST, Fashion-MNIST and KMNIST use.
 * @param bytes - the whole file
 * @param file - file name for error messages
 * @param expectedDims - required number of dimensions (3 for images, 1 for labels); any when omitted
 * @throws OmnipruneError `E_CORRUPT_FILE` on a bad magic number, wrong dimension count or wrong size
 * @example
 * const { dims, data } = parseIdx(raw, 't10k-images-idx3-ubyte', 3); // dims = [10000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims?: number): IdxArray {
  if (bytes.length < 4) {
    throw corruptFile(file, `only ${bytes.length} bytes, an IDX header needs at least 4`, IDX_HINT);
  }
  const magic = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
  const magicHex = `0x${(magic >>> 0).toString(16).padStart(8, '0')}`;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw corruptFile(file, `bad IDX magic number ${magicHex} (the first two bytes must be zero)`, IDX_HINT);
  }
  if (bytes[2] !== UBYTE_TYPE) {
    throw corruptFile(
      file,
      `bad IDX magic number ${magicHex}: data type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`,
      'only unsigned-byte IDX files (MNIST, Fashion-MNIST) are supported',
    );
  }
  const ndims = bytes[3];
  if (expectedDims !== undefined && ndims !== expectedDims) {
    const want = expectedDims === 3 ? IDX3_UBYTE_MAGIC : IDX1_UBYTE_MAGIC;
    throw corruptFile(
      file,
      `bad IDX magic number ${magicHex}: expected 0x${want.toString(16).padStart(8, '0')} (${expectedDims} dimensions), got ${ndims} dimensions`,
      'check that image files (idx3) and label files (idx1) are not swapped',
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw corruptFile(file, `header needs ${headerBytes} bytes, file has ${bytes.length}`, IDX_HINT);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let total = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    total *= d;
  }
  const expected = headerBytes + total;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw corruptFile(file, `${what}: header says dims [${dims.join(', ')}] = ${expected} bytes, file has ${bytes.length}`, IDX_HINT);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/**
 * Read, gunzip (when gzipped) and parse one IDX file.
 * @throws OmnipruneError `E_FILE_NOT_FOUND` when the file is missing, `E_CORRUPT_FILE` when it is damaged
 * @example
 * const labels = await readIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz', 1);
 */
export async function readIdxFile(file: string, expectedDims?: number): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if (isMissingFileError(err)) {
      throw fileNotFound(file, 'IDX file', 'install Debian package dataset-fashion-mnist or set data.path', err);
    }
    throw err;
  }
  return parseIdx(maybeGunzip(bytes, file), file, expectedDims);
}
