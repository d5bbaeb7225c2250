import { describe, expect, it } from 'vitest';
import { batchesPerEpoch, datasetBatches } from '../../src/train/batches.js';
import { prototypeDataset } from './fixtures.js';

const data = prototypeDataset(10, 4);
const firstPixels = (source: ReturnType<typeof datasetBatches>, epoch: number): number[] =>
  [...source(epoch)].flatMap((b) => Array.from({ length: b.size }, (_, i) => b.x[i * 16]));

describe('datasetBatches', () => {
  it('yields every image once per epoch with its label, last batch smaller', () => {
    const batches = [...datasetBatches(data, { batchSize: 4, seed: 1 })(0)];
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(batchesPerEpoch(10, 4)).toBe(3);
    const seen = new Map<number, number>();
    for (const b of batches) {
      expect(b.x.length).toBe(b.size * 16);
      for (let i = 0; i < b.size; i++) seen.set(b.x[i * 16], b.y[i]);
    }
    expect(seen.size).toBe(10);
    for (let i = 0; i < 10; i++) expect(seen.get(data.images[i * 16])).toBe(data.labels[i]);
  });

  it('is a pure function of (seed, epoch); epochs and seeds differ', () => {
    const a = datasetBatches(data, { batchSize: 3, seed: 9 });
    const b = datasetBatches(data, { batchSize: 3, seed: 9 });
    expect(firstPixels(a, 2)).toEqual(firstPixels(b, 2));
    expect(firstPixels(a, 0)).not.toEqual(firstPixels(a, 1));
    expect(firstPixels(a, 0)).not.toEqual(firstPixels(datasetBatches(data, { batchSize: 3, seed: 10 }), 0));
  });

  it('keeps dataset order without shuffle and can drop the last batch', () => {
    const order = firstPixels(datasetBatches(data, { batchSize: 4, shuffle: false, dropLast: true }), 0);
    expect(order).toEqual(Array.from({ length: 8 }, (_, i) => data.images[i * 16]));
  });

  it('yields fresh arrays', () => {
    const [batch] = datasetBatches(data, { batchSize: 10, shuffle: false })(0);
    batch.x.fill(0);
    expect(data.images[0]).not.toBe(0);
  });

  it('rejects a bad batch size', () => {
    expect(() => datasetBatches(data, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});
