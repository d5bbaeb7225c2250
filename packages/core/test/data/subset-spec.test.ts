import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { datasetSpecSchema, loadDataset, selectSubsetIndices, subsetDataset, type ImageDataset } from '../../src/data/index.js';
import { cifarBatch, cleanup, makeTempDir, writeFileDeep, writeIdxDataset } from './fixtures.js';

function countPerClass(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

describe('subsets', () => {
  // 100 samples: class 0 has 50, class 1 has 30, class 2 has 20
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : i < 80 ? 1 : 2));

  it('stratified subsets keep class proportions and add up exactly', () => {
    expect(
      countPerClass(
        Array.from(selectSubsetIndices(labels, 3, 10, { seed: 1 }), (i) => labels[i]),
        3,
      ),
    ).toEqual([5, 3, 2]);
    const idx = selectSubsetIndices(labels, 3, 7, { seed: 1 });
    expect(idx.length).toBe(7);
    expect(
      countPerClass(
        Array.from(idx, (i) => labels[i]),
        3,
      ),
    ).toEqual([4, 2, 1]);
    expect([...idx]).toEqual([...idx].sort((a, b) => a - b));
    expect(new Set(idx).size).toBe(7);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = selectSubsetIndices(labels, 3, 10, { seed: 4 });
    expect(selectSubsetIndices(labels, 3, 10, { seed: 4 })).toEqual(a);
    expect(selectSubsetIndices(labels, 3, 10, { seed: 5 })).not.toEqual(a);
  });

  it('first-N and whole-dataset cases', () => {
    expect([...selectSubsetIndices(labels, 3, 3, { strategy: 'first' })]).toEqual([0, 1, 2]);
    expect(selectSubsetIndices(labels, 3, 500).length).toBe(100);
    expect(() => selectSubsetIndices(labels, 3, 0)).toThrow(/positive integer/);
    const ds: ImageDataset = {
      name: 'd',
      images: Float32Array.from({ length: 200 }, (_, i) => i),
      labels,
      shape: [1, 2, 1],
      numClasses: 3,
      count: 100,
    };
    expect(subsetDataset(ds, undefined)).toBe(ds);
    const small = subsetDataset(ds, 20, { seed: 2 });
    expect(small.count).toBe(20);
    expect(countPerClass(small.labels, 3)).toEqual([10, 6, 4]);
    const k = small.images[0] / 2;
    expect(small.images[1]).toBe(k * 2 + 1);
  });
});

describe('datasetSpecSchema / loadDataset', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it('fills defaults and rejects typos and bad values with a path', () => {
    expect(datasetSpecSchema.parse({ name: 'cifar100' })).toEqual({
      name: 'cifar100',
      subset: 'stratified',
      scale: true,
      labelMode: 'fine',
    });
    expect(datasetSpecSchema.safeParse({ name: 'mnist', trainSubest: 5 }).success).toBe(false);
    expect(datasetSpecSchema.safeParse({ name: 'image-folder' }).success).toBe(false);
    expect(datasetSpecSchema.safeParse({ name: 'imagenet' }).success).toBe(false);
  });

  it('throws E_SCHEMA naming the offending key', async () => {
    const err = await loadDataset({ name: 'fashion-mnist', trainSubset: -3 }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_SCHEMA')).toBe(true);
    expect(err.message).toMatch(/invalid dataset spec: trainSubset: /);
    const unknown = await loadDataset({ name: 'svhn' } as never).catch((e) => e);
    expect(unknown.message).toMatch(/hint: .*fashion-mnist, mnist, cifar10, cifar100, image-folder/);
  });

  it('dispatches to the IDX and CIFAR loaders', async () => {
    await writeIdxDataset(join(dir, 'mnist'), { trainCount: 40, testCount: 10, h: 2, w: 2, gz: true });
    const mnist = await loadDataset({ name: 'mnist', path: join(dir, 'mnist'), trainSubset: 20, seed: 9 });
    expect(mnist.train.count).toBe(20);
    expect(countPerClass(mnist.train.labels, 10)).toEqual(new Array(10).fill(2));
    expect(mnist.test.count).toBe(10);
    const c = join(dir, 'c100');
    await writeFileDeep(
      join(c, 'train.bin'),
      cifarBatch([
        [1, 2],
        [3, 4],
      ]),
    );
    await writeFileDeep(join(c, 'test.bin'), cifarBatch([[5, 6]]));
    const cifar = await loadDataset({ name: 'cifar100', path: c, labelMode: 'coarse' });
    expect([...cifar.train.labels]).toEqual([1, 3]);
    expect(cifar.test.shape).toEqual([32, 32, 3]);
  });

  it('holds a validation split out of training, the same images whatever the training subset and seed', async () => {
    await writeIdxDataset(join(dir, 'held'), { trainCount: 100, testCount: 10, h: 1, w: 2, gz: false });
    const pixelsOf = (ds: ImageDataset) => new Set(Array.from({ length: ds.count }, (_, i) => `${ds.images[2 * i]},${ds.images[2 * i + 1]}`));
    const a = await loadDataset({ name: 'mnist', path: join(dir, 'held'), validation: { count: 20 }, scale: false });
    expect(a.validation!.count).toBe(20);
    expect(countPerClass(a.validation!.labels, 10)).toEqual(new Array(10).fill(2));
    expect(a.train.count).toBe(80);
    const held = pixelsOf(a.validation!);
    expect([...pixelsOf(a.train)].some((p) => held.has(p))).toBe(false);
    const b = await loadDataset({ name: 'mnist', path: join(dir, 'held'), validation: { count: 20 }, trainSubset: 30, seed: 7, scale: false });
    expect([...pixelsOf(b.validation!)]).toEqual([...held]);
    expect(b.train.count).toBe(30);
    expect([...pixelsOf(b.train)].some((p) => held.has(p))).toBe(false);
    const other = await loadDataset({ name: 'mnist', path: join(dir, 'held'), validation: { count: 20, seed: 3 }, scale: false });
    expect([...pixelsOf(other.validation!)]).not.toEqual([...held]);
    await expect(loadDataset({ name: 'mnist', path: join(dir, 'held'), validation: { count: 100 } })).rejects.toThrow(/leaves nothing/);
  });
});
