import { OmnipruneError } from '@omniprune/core';
import { Dataset, File as H5File, Group, ready } from 'h5wasm';

/** The HDF5 format signature; the superblock sits at byte 0 or after a user block of 512 * 2^k bytes. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` hold an HDF5 superblock signature where HDF5 looks for one. */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + SIGNATURE.length <= bytes.byteLength; offset = offset === 0 ? 512 : offset * 2) {
    if (SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

let counter = 0;
let quiet = false;

/**
 * Open HDF5 bytes (read-only, through h5wasm's in-memory file system), run `read` on the file and close it.
 * Bytes that are not HDF5, or that HDF5 cannot open (truncated), give `E_CORRUPT_FILE` naming `label`.
 * @example
 * const version = await withHdf5(bytes, 'model.h5', (h5) => stringAttr(h5, 'keras_version'));
 */
export async function withHdf5<T>(bytes: Uint8Array, label: string, read: (file: H5File) => T): Promise<T> {
  if (!isHdf5(bytes)) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${label} is not an HDF5 file`, {
      hint: 'pass a Keras .h5 written by model.save("m.h5"), or check that the download is complete',
    });
  }
  const module = await ready;
  if (!quiet) {
    // HDF5 prints its error stack to stderr by default; make h5wasm throw it as the error message instead.
    module.activate_throwing_error_handler();
    quiet = true;
  }
  const { FS } = module;
  const path = `/omniprune-${process.pid}-${++counter}.h5`;
  FS!.writeFile(path, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new H5File(path, 'r');
      file.keys();
      return read(file);
    } catch (cause) {
      if (cause instanceof OmnipruneError) throw cause;
      throw new OmnipruneError('E_CORRUPT_FILE', `${label} is a damaged HDF5 file (${hdf5Reason(cause)})`, {
        cause,
        hint: 'the file may be truncated; save or download it again',
      });
    }
  } finally {
    try {
      file?.close();
    } finally {
      FS!.unlink(path);
    }
  }
}

/** The innermost reason of an HDF5 error stack (`truncated file: eof = 3000, ...`), or the message itself. */
function hdf5Reason(cause: unknown): string {
  const message = (cause as Error)?.message ?? String(cause);
  const reasons = [...message.matchAll(/#\d+: .* in [\w]+\(\): (.*)$/gm)].map((m) => m[1].trim());
  return reasons.length > 0 ? reasons[reasons.length - 1] : message.split('\n')[0];
}

/** A string attribute (`bytes` or `str` in h5py), or undefined. */
export function stringAttr(obj: Group | Dataset, name: string): string | undefined {
  const attr = obj.attrs[name];
  if (!attr) return undefined;
  const value = attr.value;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return undefined;
}

/**
 * A list-of-strings attribute, also when Keras split it into `name0`, `name1`, ... (attributes over 64 KB);
 * an empty attribute (Keras writes `np.asarray([])`) is `[]`; a missing one undefined.
 */
export function stringListAttr(obj: Group, name: string): string[] | undefined {
  const read = (n: string): string[] | undefined => {
    const attr = obj.attrs[n];
    if (!attr) return undefined;
    const value = attr.value;
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.map(String);
    return [];
  };
  const whole = read(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let k = 0; ; k++) {
    const chunk = read(`${name}${k}`);
    if (!chunk) break;
    chunks.push(...chunk);
  }
  return chunks.length > 0 ? chunks : undefined;
}

/** A group member, or undefined when absent or not a group. */
export function childGroup(group: Group, name: string): Group | undefined {
  const child = group.get(name);
  return child instanceof Group ? child : undefined;
}

/** A dataset's shape and values as float32 (float64 and integer data converted, float16 decoded). */
export function readFloat32(dataset: Dataset, label: string): { shape: number[]; values: Float32Array } {
  const shape = dataset.shape ?? [];
  const value = dataset.value;
  const metadata = dataset.metadata as { type?: number; size?: number };
  let values: Float32Array;
  if (value instanceof Float32Array) values = value;
  else if (typeof value === 'number' || typeof value === 'bigint') values = new Float32Array([Number(value)]);
  else if (metadata.type === 1 && metadata.size === 2 && value instanceof Uint16Array) values = Float32Array.from(value, halfToFloat);
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) values = Float32Array.from(value as unknown as ArrayLike<number | bigint>, Number);
  else
    throw new OmnipruneError('E_UNSUPPORTED_MODEL', `${label} is not numeric (${JSON.stringify(dataset.dtype)})`, { hint: 'only numeric weights can be read' });
  return { shape, values };
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export { Dataset, Group };
export type { H5File };
