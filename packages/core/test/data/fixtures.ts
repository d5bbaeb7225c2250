import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
export { idxBytes, idxPixel, writeFileDeep, writeIdxDataset } from '../../src/testing/idx-files.js';

/** A fresh temp folder; remove it with `cleanup`. */
export async function makeTempDir(prefix = 'omniprune-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
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
