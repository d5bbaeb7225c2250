import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { corruptFile } from './data-errors.js';

/** A decoded image: 8-bit RGBA, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** `width * height * 4` bytes, RGBA. */
  readonly data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/**
 * Decode a PNG or JPEG (detected from its first bytes, not its extension) to 8-bit RGBA.
 * 16-bit PNGs are reduced to 8 bits; grayscale and palette PNGs are expanded to RGBA.
 * @param bytes - the file content
 * @param file - file name for error messages
 * @throws OmnipruneError `E_CORRUPT_FILE` when the bytes are neither a valid PNG nor a valid JPEG
 * @example
 * const { width, height, data } = decodeImage(await readFile('cat.png'), 'cat.png');
 */
export function decodeImage(bytes: Uint8Array, file: string): RgbaImage {
  const hint = 'delete or replace the file; only PNG and baseline/progressive JPEG images are supported';
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG_SIGNATURE)) {
    try {
      const png = PNG.sync.read(buffer, { skipRescale: false });
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } catch (err) {
      throw corruptFile(file, `PNG cannot be decoded (${(err as Error).message})`, hint, err);
    }
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) {
    try {
      const img = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    } catch (err) {
      throw corruptFile(file, `JPEG cannot be decoded (${(err as Error).message})`, hint, err);
    }
  }
  throw corruptFile(file, 'not a PNG or JPEG image (unknown file signature)', hint);
}
