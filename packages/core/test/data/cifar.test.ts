import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { loadCifar } from '../../src/data/index.js';
import { cifarBatch, cifarPixel, cleanup, makeTempDir, tarBytes, writeFileDeep } from './fixtures.js';

const META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

/** CIFAR-10 files: batch b has 3 records with labels (b + k) % 10; test has 4 records. */
function cifar10Files(): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = { 'batches.meta.txt': META };
  for (let b = 1; b <= 5; b++) {
    files[`data_batch_${b}.bin`] = cifarBatch(
      [0, 1, 2].map((k) => [(b + k) % 10]),
      (b - 1) * 3,
    );
  }
  files['test_batch.bin'] = cifarBatch([[9], [8], [7], [6]]);
  return files;
}

async function writeAll(dir: string, files: Record<string, Uint8Array | string>) {
  for (const [name, data] of Object.entries(files)) await writeFileDeep(join(dir, name), data);
}

function expectNhwcPixels(images: Float32Array, record: number, k: number, factor = 1 / 255) {
  for (const [y, x] of [
    [0, 0],
    [0, 31],
    [17, 5],
    [31, 31],
  ]) {
    for (let c = 0; c < 3; c++) {
      const got = images[k * 3072 + (y * 32 + x) * 3 + c];
      expect(got).toBeCloseTo(cifarPixel(record, c, y * 32 + x) * factor, 6);
    }
  }
}

describe('loadCifar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it('reads CIFAR-10 batches from an extracted folder as NHWC', async () => {
    await writeAll(join(dir, 'cifar-10-batches-bin'), cifar10Files());
    const { train, test } = await loadCifar({ name: 'cifar10', path: dir });
    expect(train.count).toBe(15);
    expect(test.count).toBe(4);
    expect(train.shape).toEqual([32, 32, 3]);
    expect(train.images.length).toBe(15 * 3072);
    expect([...train.labels]).toEqual([1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 5, 6, 7]);
    expect([...test.labels]).toEqual([9, 8, 7, 6]);
    expect(train.classNames).toEqual(META.trim().split('\n'));
    for (const r of [0, 4, 14]) expectNhwcPixels(train.images, r, r);
    expectNhwcPixels(test.images, 3, 3);
  });

  it('reads the .tar.gz archive directly, with raw values and a subset', async () => {
    const entries = Object.fromEntries(Object.entries(cifar10Files()).map(([k, v]) => [`cifar-10-batches-bin/${k}`, v]));
    const archive = join(dir, 'cifar-10-binary.tar.gz');
    await writeFileDeep(archive, gzipSync(tarBytes(entries)));
    const { train } = await loadCifar({ name: 'cifar10', path: archive, scale: false, trainSubset: 4, subset: 'first' });
    expect(train.count).toBe(4);
    expect([...train.labels]).toEqual([1, 2, 3, 2]);
    expectNhwcPixels(train.images, 3, 3, 1);
  });

  it('reads CIFAR-100 fine labels by default and coarse on request', async () => {
    const files = {
      'train.bin': cifarBatch([
        [1, 42],
        [19, 99],
        [0, 5],
      ]),
      'test.bin': cifarBatch([[3, 7]]),
      'fine_label_names.txt': Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'),
      'coarse_label_names.txt': Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'),
    };
    await writeAll(join(dir, 'cifar-100-binary'), files);
    const fine = await loadCifar({ name: 'cifar100', path: join(dir, 'cifar-100-binary') });
    expect([...fine.train.labels]).toEqual([42, 99, 5]);
    expect(fine.train.numClasses).toBe(100);
    expect(fine.train.classNames?.[99]).toBe('fine99');
    expectNhwcPixels(fine.train.images, 1, 1);
    const coarse = await loadCifar({ name: 'cifar100', path: dir, labelMode: 'coarse' });
    expect([...coarse.train.labels]).toEqual([1, 19, 0]);
    expect(coarse.test.numClasses).toBe(20);
    expect(coarse.test.classNames?.[3]).toBe('coarse3');
  });

  it('rejects a truncated batch file with E_CORRUPT_FILE naming the file', async () => {
    const files = cifar10Files();
    files['data_batch_3.bin'] = (files['data_batch_3.bin'] as Uint8Array).subarray(0, 3073 * 2 + 100);
    await writeAll(dir, files);
    const err = await loadCifar({ name: 'cifar10', path: dir }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_CORRUPT_FILE')).toBe(true);
    expect(err.message).toMatch(/data_batch_3\.bin: 6246 bytes is not a positive multiple of the 3073-byte cifar10 record/);
    expect(err.message).toMatch(/hint: download cifar-10-binary\.tar\.gz again/);
  });

  it('rejects CIFAR-100 files loaded as CIFAR-10 (bad label)', async () => {
    const files = cifar10Files();
    files['test_batch.bin'] = cifarBatch([[12], [3]]);
    await writeAll(dir, files);
    const err = await loadCifar({ name: 'cifar10', path: dir }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_CORRUPT_FILE')).toBe(true);
    expect(err.message).toMatch(/label 12 of record 0 is not below 10/);
  });

  it('reports missing paths and batch files with E_FILE_NOT_FOUND', async () => {
    const missing = await loadCifar({ name: 'cifar10', path: join(dir, 'nope') }).catch((e) => e);
    expect(isOmnipruneError(missing, 'E_FILE_NOT_FOUND')).toBe(true);
    expect(missing.message).toMatch(/hint: download cifar-10-binary\.tar\.gz .*set data\.path/);
    const files = cifar10Files();
    delete files['data_batch_5.bin'];
    await writeAll(dir, files);
    const err = await loadCifar({ name: 'cifar10', path: dir }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_FILE_NOT_FOUND')).toBe(true);
    expect(err.message).toMatch(/data_batch_5\.bin/);
  });

  it('rejects a damaged archive with E_CORRUPT_FILE', async () => {
    const tar = tarBytes({ 'cifar-10-batches-bin/test_batch.bin': cifarBatch([[1]]) });
    tar[150] ^= 0x01;
    const archive = join(dir, 'cifar-10-binary.tar');
    await writeFileDeep(archive, tar);
    const err = await loadCifar({ name: 'cifar10', path: archive }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_CORRUPT_FILE')).toBe(true);
    expect(err.message).toMatch(/bad tar header checksum at byte 0/);
    const gz = gzipSync(tarBytes({ 'a.bin': cifarBatch([[1]]) }));
    await writeFileDeep(join(dir, 'cut.tar.gz'), gz.subarray(0, gz.length / 2));
    const cut = await loadCifar({ name: 'cifar10', path: join(dir, 'cut.tar.gz') }).catch((e) => e);
    expect(isOmnipruneError(cut, 'E_CORRUPT_FILE')).toBe(true);
    expect(cut.message).toMatch(/gzip data cannot be decompressed[\s\S]*extract it/);
  });
});
