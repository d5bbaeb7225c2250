import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A fresh temp folder; remove it with `cleanup`. */
export async function makeTempDir(prefix = 'omniprune-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

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

export async function writeFileDeep(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** Pixel value of image n at (y, x) in the synthetic IDX datasets. */
export const idxPixel = (n: number, y: number, x: number): number => (n * 7 + y * 5 + x * 3) % 256;

/**
 * Write a tiny IDX dataset: `count` images `h x w`, label `n % 10` (or from `labelOf`).
 * Train files are gzipped when `gz`, test files never are.
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

/** CIFAR pixel value of record r, channel c, pixel p (y*32+x). */
export const cifarPixel = (r: number, c: number, p: number): number => (r * 31 + c * 101 + p * 7) % 256;

/** One CIFAR batch file: labels per record (CIFAR-100: [coarse, fine]) + CHW pixels. */
export function cifarBatch(labels: number[][], recordOffset = 0): Uint8Array {
  const labelBytes = labels[0].length;
  const record = labelBytes + 3072;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((lab, i) => {
    const base = i * record;
    lab.forEach((v, j) => {
      out[base + j] = v;
    });
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[base + labelBytes + c * 1024 + p] = cifarPixel(recordOffset + i, c, p);
  });
  return out;
}

/** A minimal ustar archive of the given files. */
export function tarBytes(files: Record<string, Uint8Array | string>): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? enc.encode(content) : content;
    const header = new Uint8Array(512);
    header.set(enc.encode(name), 0);
    header.set(enc.encode('0000644\0'), 100);
    header.set(enc.encode('0000000\0'), 108);
    header.set(enc.encode('0000000\0'), 116);
    header.set(enc.encode(data.length.toString(8).padStart(11, '0') + '\0'), 124);
    header.set(enc.encode('00000000000\0'), 136);
    header[156] = 0x30;
    header.set(enc.encode('ustar\0' + '00'), 257);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    blocks.push(header);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  const total = blocks.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
