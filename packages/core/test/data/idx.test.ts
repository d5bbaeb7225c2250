import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { loadIdxDataset, maybeGunzip, parseIdx, readIdxFile } from '../../src/data/index.js';
import { cleanup, idxBytes, idxPixel, makeTempDir, writeFileDeep, writeIdxDataset } from './fixtures.js';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (isOmnipruneError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an OmnipruneError');
}

describe('parseIdx', () => {
  it('parses an idx3 image file and an idx1 label file', () => {
    const img = parseIdx(idxBytes([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 'x', 3);
    expect(img.dims).toEqual([2, 2, 3]);
    expect([...img.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const lab = parseIdx(idxBytes([3], [9, 0, 4]), 'y', 1);
    expect(lab.dims).toEqual([3]);
    expect([...lab.data]).toEqual([9, 0, 4]);
  });

  it('gunzips by magic bytes, not by name', () => {
    const raw = idxBytes([2], [5, 6]);
    expect([...parseIdx(maybeGunzip(gzipSync(raw), 'a.idx'), 'a.idx').data]).toEqual([5, 6]);
    expect(maybeGunzip(raw, 'b.gz')).toBe(raw);
  });

  it('rejects a bad magic number', async () => {
    const bytes = idxBytes([2], [1, 2]);
    bytes[0] = 0x12;
    const e = await codeOf(() => parseIdx(bytes, 'labels.idx', 1));
    expect(e.code).toBe('E_CORRUPT_FILE');
    expect(e.message).toMatch(/labels\.idx: bad IDX magic number 0x12000801/);
    expect(e.message).toMatch(/hint: .*re-download/);
  });

  it('rejects a non-ubyte data type and swapped image/label files', async () => {
    expect((await codeOf(() => parseIdx(idxBytes([2], [1, 2], 0x0d), 'f', 1))).message).toMatch(/not unsigned byte/);
    const swapped = await codeOf(() => parseIdx(idxBytes([2], [1, 2]), 'train-images', 3));
    expect(swapped.code).toBe('E_CORRUPT_FILE');
    expect(swapped.message).toMatch(/expected 0x00000803 \(3 dimensions\), got 1/);
    expect(swapped.message).toMatch(/hint: .*swapped/);
  });

  it('rejects truncated files and trailing bytes', async () => {
    const bytes = idxBytes([4, 2, 2], new Array(16).fill(1));
    const cut = await codeOf(() => parseIdx(bytes.subarray(0, bytes.length - 3), 'img', 3));
    expect(cut.code).toBe('E_CORRUPT_FILE');
    expect(cut.message).toMatch(/truncated: header says dims \[4, 2, 2\] = 32 bytes, file has 29/);
    const long = new Uint8Array(bytes.length + 1);
    long.set(bytes);
    expect((await codeOf(() => parseIdx(long, 'img', 3))).message).toMatch(/trailing bytes/);
    expect((await codeOf(() => parseIdx(new Uint8Array([0, 0]), 'tiny'))).message).toMatch(/only 2 bytes/);
    expect((await codeOf(() => parseIdx(idxBytes([1, 1, 1], [1]).subarray(0, 10), 'hdr'))).message).toMatch(/header needs 16 bytes/);
  });

  it('rejects a truncated gzip stream', async () => {
    const gz = gzipSync(idxBytes([100], new Array(100).fill(3)));
    const e = await codeOf(() => maybeGunzip(gz.subarray(0, gz.length - 10), 'labels.gz'));
    expect(e.code).toBe('E_CORRUPT_FILE');
    expect(e.message).toMatch(/labels\.gz: gzip data cannot be decompressed/);
  });

  it('reports a missing file with E_FILE_NOT_FOUND and what to do', async () => {
    const e = await codeOf(readIdxFile('/nonexistent/train-images-idx3-ubyte.gz', 3));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
    expect(e.message).toMatch(/\/nonexistent\/train-images-idx3-ubyte\.gz/);
    expect(e.message).toMatch(/hint: install Debian package dataset-fashion-mnist or set data\.path/);
  });
});

describe('loadIdxDataset', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it('loads gzipped train and plain test files with exact pixels, labels and shapes', async () => {
    await writeIdxDataset(dir, { trainCount: 30, testCount: 12, h: 3, w: 4, gz: true });
    const { train, test } = await loadIdxDataset({ name: 'fashion-mnist', dir });
    expect(train.count).toBe(30);
    expect(test.count).toBe(12);
    expect(train.shape).toEqual([3, 4, 1]);
    expect(train.numClasses).toBe(10);
    expect(train.classNames?.[9]).toBe('Ankle boot');
    expect(train.name).toBe('fashion-mnist/train');
    expect([...train.labels.subarray(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    for (const n of [0, 7, 29]) {
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 4; x++) {
          expect(train.images[n * 12 + y * 4 + x]).toBeCloseTo(idxPixel(n, y, x) / 255, 6);
        }
    }
    expect(test.images[11 * 12 + 2 * 4 + 3]).toBeCloseTo(idxPixel(11, 2, 3) / 255, 6);
  });

  it('keeps raw 0..255 values with scale: false and takes subsets', async () => {
    await writeIdxDataset(dir, { trainCount: 50, testCount: 20, h: 2, w: 2, gz: false });
    const first = await loadIdxDataset({ name: 'mnist', dir, scale: false, trainSubset: 5, subset: 'first' });
    expect(first.train.count).toBe(5);
    expect([...first.train.labels]).toEqual([0, 1, 2, 3, 4]);
    expect(first.train.images[4 * 4 + 3]).toBe(idxPixel(4, 1, 1));
    expect(first.train.classNames?.[3]).toBe('3');
    const strat = await loadIdxDataset({ name: 'mnist', dir, trainSubset: 20, testSubset: 10, seed: 3 });
    const counts = new Array(10).fill(0);
    strat.train.labels.forEach((l) => counts[l]++);
    expect(counts).toEqual(new Array(10).fill(2));
    expect(strat.test.count).toBe(10);
  });

  it('accepts the x.idx3-ubyte spelling', async () => {
    await writeIdxDataset(dir, { trainCount: 3, testCount: 2, h: 1, w: 1, gz: false });
    const { rename } = await import('node:fs/promises');
    await rename(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-images.idx3-ubyte'));
    expect((await loadIdxDataset({ name: 'mnist', dir })).train.count).toBe(3);
  });

  it('names the missing file of a configured folder', async () => {
    await writeIdxDataset(dir, { trainCount: 3, testCount: 2, h: 1, w: 1, gz: false });
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, 't10k-labels-idx1-ubyte'));
    const e = await codeOf(loadIdxDataset({ name: 'fashion-mnist', dir }));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
    expect(e.message).toMatch(/t10k-labels-idx1-ubyte\.gz/);
    expect(e.message).toMatch(/hint: .*install Debian package dataset-fashion-mnist/);
  });

  it('rejects mismatched image/label counts and out-of-range labels', async () => {
    await writeIdxDataset(dir, { trainCount: 4, testCount: 2, h: 1, w: 1, gz: false });
    await writeFileDeep(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([3], [0, 1, 2]));
    const e = await codeOf(loadIdxDataset({ name: 'mnist', dir }));
    expect(e.code).toBe('E_CORRUPT_FILE');
    expect(e.message).toMatch(/3 labels for 2 images/);
    await writeFileDeep(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([2], [0, 10]));
    expect((await codeOf(loadIdxDataset({ name: 'mnist', dir }))).message).toMatch(/label 10 at index 1 is not below 10/);
  });

  it('without files and downloads disabled, tells the user what to install', async () => {
    const e = await codeOf(loadIdxDataset({ name: 'fashion-mnist', systemDirs: [], cacheDir: dir, download: false }));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
    expect(e.message).toMatch(/downloads disabled/);
    expect(e.message).toMatch(/hint: install Debian package dataset-fashion-mnist/);
  });

  it('finds files in a system folder before downloading', async () => {
    await writeIdxDataset(join(dir, 'sys'), { trainCount: 3, testCount: 2, h: 1, w: 1, gz: true });
    const fetch = () => Promise.reject(new Error('must not download'));
    const { train } = await loadIdxDataset({
      name: 'fashion-mnist',
      systemDirs: [join(dir, 'sys')],
      cacheDir: join(dir, 'cache'),
      fetch,
    });
    expect(train.count).toBe(3);
  });

  it('refuses a download whose checksum does not match and leaves no file in the cache', async () => {
    const cacheDir = join(dir, 'cache');
    const bogus = gzipSync(idxBytes([1], [0]));
    const fetch = async () => ({ ok: true, status: 200, arrayBuffer: async () => bogus.slice().buffer });
    const e = await codeOf(loadIdxDataset({ name: 'mnist', systemDirs: [], cacheDir, fetch }));
    expect(e.code).toBe('E_CORRUPT_FILE');
    expect(e.message).toMatch(/failed SHA-256 verification/);
    expect(e.message).toMatch(/expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609/);
    const left = await readdir(cacheDir).catch(() => []);
    expect(left).toEqual([]);
  });

  it('reports an offline machine as E_FILE_NOT_FOUND with an install hint', async () => {
    const fetch = () => Promise.reject(new Error('getaddrinfo ENOTFOUND'));
    const e = await codeOf(loadIdxDataset({ name: 'fashion-mnist', systemDirs: [], cacheDir: dir, fetch }));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
    expect(e.message).toMatch(/ENOTFOUND/);
    expect(e.message).toMatch(/hint: this machine may be offline: install Debian package dataset-fashion-mnist/);
  });
});
