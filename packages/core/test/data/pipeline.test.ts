import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { createRng, type Rng } from '../../src/util/rng.js';
import {
  augmentBatch,
  augmentStepSchema,
  batches,
  channelStats,
  horizontalFlip,
  normalize,
  padCrop,
  toTensors,
  type ImageDataset,
} from '../../src/data/index.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';

/** An Rng whose int() always returns `value` (to place pad-crop offsets exactly). */
function fixedRng(value: number): Rng {
  return { next: () => 0, int: () => value, shuffle: (a) => a, state: () => 0 };
}

function dataset(count: number, shape: [number, number, number], numClasses = 3): ImageDataset {
  const per = shape[0] * shape[1] * shape[2];
  const images = Float32Array.from({ length: count * per }, (_, i) => i + 1);
  const labels = Int32Array.from({ length: count }, (_, i) => i % numClasses);
  return { name: 'toy', images, labels, shape, numClasses, count };
}

describe('augmentation', () => {
  const shape: [number, number, number] = [3, 4, 2];

  it('flipping twice with p = 1 is the identity, once mirrors each row', () => {
    const x = dataset(2, shape).images;
    const orig = x.slice();
    horizontalFlip(x, 2, shape, createRng(1), 1);
    // image 0, row 0: pixels (c0,c1) = (1,2),(3,4),(5,6),(7,8) -> reversed pixel order
    expect([...x.subarray(0, 8)]).toEqual([7, 8, 5, 6, 3, 4, 1, 2]);
    expect([...x.subarray(24, 32)]).toEqual([31, 32, 29, 30, 27, 28, 25, 26]);
    horizontalFlip(x, 2, shape, createRng(2), 1);
    expect(x).toEqual(orig);
    horizontalFlip(x, 2, shape, createRng(3), 0);
    expect(x).toEqual(orig);
  });

  it('pad-crop at the centre offset is the identity', () => {
    const x = dataset(2, shape).images;
    const orig = x.slice();
    padCrop(x, 2, shape, fixedRng(2), 2);
    expect(x).toEqual(orig);
  });

  it('pad-crop at offset 0 shifts the image right and down by pad, filling zeros', () => {
    const x = dataset(1, [3, 3, 1]).images; // 1..9
    padCrop(x, 1, [3, 3, 1], fixedRng(0), 1);
    expect([...x]).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
    const y = dataset(1, [3, 3, 1]).images;
    padCrop(y, 1, [3, 3, 1], fixedRng(2), 1); // max offset: shift left and up
    expect([...y]).toEqual([5, 6, 0, 8, 9, 0, 0, 0, 0]);
    const z = dataset(1, [2, 2, 1]).images;
    padCrop(z, 1, [2, 2, 1], fixedRng(0), 4); // pad larger than the image: all zeros
    expect([...z]).toEqual([0, 0, 0, 0]);
  });

  it('schema fills defaults and rejects unknown steps with a path', () => {
    expect(augmentStepSchema.parse({ type: 'pad-crop' })).toEqual({ type: 'pad-crop', pad: 4 });
    expect(augmentStepSchema.parse({ type: 'flip' })).toEqual({ type: 'flip', p: 0.5 });
    expect(augmentStepSchema.safeParse({ type: 'rotate' }).success).toBe(false);
    const bad = augmentStepSchema.safeParse({ type: 'flip', p: 2 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['p']);
    const x = new Float32Array(4);
    expect(() => augmentBatch(x, 1, [2, 2, 1], [{ type: 'blur' } as never], createRng(0))).toThrow(/unknown augmentation step type blur/);
  });
});

describe('batches', () => {
  const ds = dataset(10, [2, 2, 1]);

  it('yields sequential batches with a short last batch unless dropLast', () => {
    const all = [...batches(ds, { batchSize: 4 })];
    expect(all.map((b) => b.size)).toEqual([4, 4, 2]);
    expect([...all[2].y]).toEqual([2, 0]);
    expect([...all[1].x.subarray(0, 4)]).toEqual([17, 18, 19, 20]);
    expect(all[2].x.length).toBe(8);
    expect([...batches(ds, { batchSize: 4, dropLast: true })].map((b) => b.size)).toEqual([4, 4]);
  });

  it('same seed gives the same shuffled, augmented batches; the dataset is untouched', () => {
    const before = ds.images.slice();
    const opts = (seed: number) => ({
      batchSize: 3,
      shuffle: true,
      rng: createRng(seed),
      augment: [{ type: 'pad-crop' as const, pad: 1 }, { type: 'flip' as const }],
    });
    const a = [...batches(ds, opts(7))];
    const b = [...batches(ds, opts(7))];
    const c = [...batches(ds, opts(8))];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(ds.images).toEqual(before);
    const seen = a.flatMap((batch) => [...batch.y]).length;
    expect(seen).toBe(10);
  });

  it('a shuffled epoch visits every sample once', () => {
    const ids = [...batches(ds, { batchSize: 4, shuffle: true, rng: createRng(1) })].flatMap((b) => Array.from({ length: b.size }, (_, k) => b.x[k * 4]));
    expect(ids.sort((p, q) => p - q)).toEqual(Array.from({ length: 10 }, (_, i) => i * 4 + 1));
  });

  it('requires an rng for shuffle and a positive batch size', () => {
    expect(() => [...batches(ds, { batchSize: 2, shuffle: true })]).toThrow(/needs an rng/);
    const err = (() => {
      try {
        [...batches(ds, { batchSize: 0 })];
      } catch (e) {
        return e;
      }
    })();
    expect(isOmnipruneError(err, 'E_BAD_INPUT')).toBe(true);
  });
});

describe('toTensors', () => {
  beforeAll(useCpu);

  it('wraps a batch as float32 NHWC and int32 labels without leaking', async () => {
    const batch = await expectNoLeaks(() => {
      const [first] = batches(dataset(5, [2, 3, 1]), { batchSize: 5 });
      const { x, y } = toTensors(first, [2, 3, 1]);
      expect(x.shape).toEqual([5, 2, 3, 1]);
      expect(x.dtype).toBe('float32');
      expect(y.shape).toEqual([5]);
      expect(y.dtype).toBe('int32');
      expect(Array.from(y.dataSync())).toEqual([0, 1, 2, 0, 1]);
      tf.dispose([x, y]);
      return first;
    });
    expect(() => toTensors(batch, [3, 3, 1])).toThrow(/does not match image shape/);
  });
});

describe('normalize', () => {
  it('channelStats gives known values and normalize yields mean 0, std 1 per channel', () => {
    const images = new Float32Array(200 * 2 * 2 * 3);
    const rng = createRng(5);
    for (let i = 0; i < images.length; i++) images[i] = (i % 3) * 10 + rng.next() * (1 + (i % 3));
    const ds: ImageDataset = { name: 't', images, labels: new Int32Array(200), shape: [2, 2, 3], numClasses: 1, count: 200 };
    const stats = channelStats(ds);
    expect(stats.mean[1]).toBeGreaterThan(10);
    const out = normalize(ds, stats);
    expect(out.images).not.toBe(ds.images);
    const after = channelStats(out);
    for (let c = 0; c < 3; c++) {
      expect(after.mean[c]).toBeCloseTo(0, 4);
      expect(after.std[c]).toBeCloseTo(1, 4);
    }
    const exact = channelStats({ ...ds, images: Float32Array.of(1, 10, 3, 20), shape: [1, 1, 2], count: 2 });
    expect(exact).toEqual({ mean: [2, 15], std: [1, 5] });
  });

  it('broadcasts a single value, works in place and validates', () => {
    const ds = dataset(1, [1, 2, 2]);
    expect([...normalize(ds, { mean: [1], std: [2] }).images]).toEqual([0, 0.5, 1, 1.5]);
    const copy = { ...ds, images: ds.images.slice() };
    expect(normalize(copy, { mean: [1, 2], std: [1, 1], inPlace: true }).images).toBe(copy.images);
    expect([...copy.images]).toEqual([0, 0, 2, 2]);
    expect(() => normalize(ds, { mean: [0, 0, 0], std: [1] })).toThrow(/mean has 3 values, the dataset has 2 channels/);
    expect(() => normalize(ds, { mean: [0], std: [0] })).toThrow(/std must be > 0/);
  });
});
