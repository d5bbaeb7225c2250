import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOmnipruneError } from '@omniprune/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOodSet, SYNTHETIC_OOD_SETS, syntheticOodSet } from '../src/ood/index.js';
import { syntheticDataset } from '@omniprune/core/testing';

const raw = syntheticDataset({ count: 6, shape: [8, 8, 2], classes: 3, seed: 7, range: [0, 1] });

function sortedCopy(x: Float32Array): number[] {
  return Array.from(x).sort((a, b) => a - b);
}

describe('synthetic OOD sets', () => {
  it('are deterministic per seed, differ across seeds, keep count and shape, and stay in the pixel range', () => {
    for (const set of SYNTHETIC_OOD_SETS) {
      for (const pixelRange of [[0, 1] as const, [0, 255] as const]) {
        const scaled = { ...raw, images: raw.images.map((v) => v * pixelRange[1]) };
        const a = syntheticOodSet(scaled, set, { pixelRange, seed: 3 });
        const b = syntheticOodSet(scaled, set, { pixelRange, seed: 3 });
        expect(a.images, set).toEqual(b.images);
        expect([a.count, ...a.shape]).toEqual([6, 8, 8, 2]);
        expect(Math.min(...a.images), set).toBeGreaterThanOrEqual(pixelRange[0]);
        expect(Math.max(...a.images), set).toBeLessThanOrEqual(pixelRange[1]);
        if (set !== 'inverted') expect(syntheticOodSet(scaled, set, { pixelRange, seed: 4 }).images, set).not.toEqual(a.images);
      }
    }
  });

  it('inverted is pixelMax - x', () => {
    const inv = syntheticOodSet(raw, 'inverted', { pixelRange: [0, 1], seed: 1 });
    for (let i = 0; i < raw.images.length; i += 37) expect(inv.images[i]).toBeCloseTo(1 - raw.images[i], 6);
  });

  it('pixel-permuted moves whole pixels (all channels) with one permutation shared by every image', () => {
    const per = 8 * 8 * 2;
    const perm = syntheticOodSet(raw, 'pixel-permuted', { pixelRange: [0, 1], seed: 1 });
    const source: number[] = []; // source pixel of each destination pixel, read off image 0
    for (let p = 0; p < 64; p++) {
      const q = Array.from({ length: 64 }, (_, k) => k).find((k) => raw.images[k * 2] === perm.images[p * 2]);
      expect(q, `pixel ${p}`).toBeDefined();
      expect(perm.images[p * 2 + 1]).toBe(raw.images[q! * 2 + 1]);
      source.push(q!);
    }
    expect(new Set(source).size).toBe(64);
    expect(source).not.toEqual(source.slice().sort((a, b) => a - b));
    for (let img = 1; img < 6; img++) {
      for (let p = 0; p < 64; p++) expect(perm.images[img * per + p * 2]).toBe(raw.images[img * per + source[p] * 2]);
    }
  });

  it('block-shuffled keeps every 4x4 block intact, only moved', () => {
    const one = syntheticDataset({ count: 1, shape: [8, 8, 1], classes: 1, seed: 2, range: [0, 1] });
    const out = syntheticOodSet(one, 'block-shuffled', { pixelRange: [0, 1], seed: 5, blockSize: 4 });
    const block = (x: Float32Array, b: number): string => {
      const [by, bx] = [Math.floor(b / 2) * 4, (b % 2) * 4];
      return Array.from({ length: 16 }, (_, k) => x[(by + Math.floor(k / 4)) * 8 + bx + (k % 4)]).join(',');
    };
    const before = [0, 1, 2, 3].map((b) => block(one.images, b));
    const after = [0, 1, 2, 3].map((b) => block(out.images, b));
    expect(after.slice().sort()).toEqual(before.slice().sort());
    expect(sortedCopy(out.images)).toEqual(sortedCopy(one.images));
  });
});

/** An uncompressed IDX file: magic, dims, unsigned bytes. */
function idx(dims: number[], data: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('user OOD sets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ood-idx-'));
    const n = 4;
    await writeFile(
      join(dir, 'train-images-idx3-ubyte'),
      idx(
        [n, 5, 5],
        Array.from({ length: n * 25 }, (_, i) => i % 256),
      ),
    );
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), idx([n], [0, 1, 2, 3]));
    await writeFile(
      join(dir, 't10k-images-idx3-ubyte'),
      idx(
        [n, 5, 5],
        Array.from({ length: n * 25 }, (_, i) => (i * 7) % 256),
      ),
    );
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idx([n], [3, 2, 1, 0]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads an IDX set and maps it to the pixel range', async () => {
    const target = { shape: [5, 5, 1] as const, pixelRange: [0, 255] as const, samples: 10, seed: 1 };
    const ds = await loadOodSet({ name: 'digits', path: dir, format: 'idx' }, target);
    expect(ds.name).toBe('ood:digits');
    expect([ds.count, ...ds.shape]).toEqual([4, 5, 5, 1]);
    expect(ds.images[1]).toBeCloseTo(7, 4);
    expect(Math.max(...ds.images)).toBeLessThanOrEqual(255);
  });

  it('says E_BAD_INPUT when the shapes cannot match and E_FILE_NOT_FOUND when files are missing', async () => {
    const target = { shape: [8, 8, 1] as const, pixelRange: [0, 1] as const, samples: 10, seed: 1 };
    const mismatch = await loadOodSet({ name: 'digits', path: dir, format: 'idx' }, target).catch((e: unknown) => e);
    expect(isOmnipruneError(mismatch, 'E_BAD_INPUT')).toBe(true);
    expect(String(mismatch)).toMatch(/OOD set "digits".*\[5, 5, 1\].*\[8, 8, 1\]/);
    const missing = await loadOodSet({ name: 'nowhere', path: join(dir, 'absent') }, target).catch((e: unknown) => e);
    expect(isOmnipruneError(missing, 'E_FILE_NOT_FOUND')).toBe(true);
    expect(String(missing)).toMatch(/OOD set "nowhere"/);
    const rgba = await loadOodSet({ name: 'x', path: dir }, { ...target, shape: [8, 8, 4] }).catch((e: unknown) => e);
    expect(isOmnipruneError(rgba, 'E_BAD_INPUT')).toBe(true);
  });
});
