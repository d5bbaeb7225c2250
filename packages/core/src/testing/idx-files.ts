import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Bytes of an IDX ubyte file with the given dims and values. */
export function idxBytes(dims: number[], values: ArrayLike<number>, magicType = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = magicType;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(Uint8Array.from(values), header.length);
  return out;
}

/** Write `bytes` to `file`, creating its folders. */
export async function writeFileDeep(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** Pixel value of image n at (y, x) in the synthetic IDX datasets. */
export const idxPixel = (n: number, y: number, x: number): number => (n * 7 + y * 5 + x * 3) % 256;

/**
 * Write a tiny IDX dataset: `count` images `h x w`, label `n % 10` (or from `labelOf`).
 * Train files are gzipped when `gz`, test files never are.
 * @example
 * await writeIdxDataset(join(dir, 'data'), { trainCount: 60, testCount: 40, h: 8, w: 8, gz: false });
 */
export async function writeIdxDataset(
  dir: string,
  opts: { trainCount: number; testCount: number; h: number; w: number; gz: boolean; labelOf?: (n: number) => number },
): Promise<void> {
  const labelOf = opts.labelOf ?? ((n: number) => n % 10);
  const split = async (prefix: string, count: number, gz: boolean) => {
    const pixels: number[] = [];
    for (let n = 0; n < count; n++) for (let y = 0; y < opts.h; y++) for (let x = 0; x < opts.w; x++) pixels.push(idxPixel(n, y, x));
    const labels = Array.from({ length: count }, (_, n) => labelOf(n));
    const images = idxBytes([count, opts.h, opts.w], pixels);
    const labelBytes = idxBytes([count], labels);
    const suffix = gz ? '.gz' : '';
    await writeFileDeep(join(dir, `${prefix}-images-idx3-ubyte${suffix}`), gz ? gzipSync(images) : images);
    await writeFileDeep(join(dir, `${prefix}-labels-idx1-ubyte${suffix}`), gz ? gzipSync(labelBytes) : labelBytes);
  };
  await split('train', opts.trainCount, opts.gz);
  await split('t10k', opts.testCount, false);
}
