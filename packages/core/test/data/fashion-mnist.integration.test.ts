import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batches, channelStats, loadDataset, loadIdxDataset } from '../../src/data/index.js';
import { createRng } from '../../src/util/rng.js';

const DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const present = existsSync(join(DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(DIR, 'train-images-idx3-ubyte'));
if (!present) {
  console.log(`[skip] Fashion-MNIST integration test: ${DIR} not found (apt-get install dataset-fashion-mnist to run it)`);
}

describe.skipIf(!present)('Fashion-MNIST from the Debian package (integration)', () => {
  it('loads 60000/10000 28x28x1 images in 10 balanced classes', async () => {
    const { train, test } = await loadIdxDataset({ name: 'fashion-mnist', dir: DIR, download: false });
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.numClasses).toBe(10);
    expect(train.images.length).toBe(60000 * 784);
    const counts = new Array(10).fill(0);
    train.labels.forEach((l) => counts[l]++);
    expect(counts).toEqual(new Array(10).fill(6000));
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // Published Fashion-MNIST training statistics: mean 0.2860, std 0.3530.
    const stats = channelStats(train);
    expect(stats.mean[0]).toBeCloseTo(0.286, 3);
    expect(stats.std[0]).toBeCloseTo(0.353, 3);
    const [first] = batches(test, { batchSize: 256, shuffle: true, rng: createRng(1), augment: [{ type: 'flip' }] });
    expect(first.size).toBe(256);
  });

  it('loadDataset takes a stratified subset', async () => {
    const path = process.env.FASHION_MNIST_DIR; // default: found in the system folder
    const { train, test } = await loadDataset({
      name: 'fashion-mnist',
      path,
      trainSubset: 1000,
      testSubset: 500,
      seed: 3,
      download: false,
    });
    const counts = new Array(10).fill(0);
    train.labels.forEach((l) => counts[l]++);
    expect(counts).toEqual(new Array(10).fill(100));
    expect(test.count).toBe(500);
  });
});
