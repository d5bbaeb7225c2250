import * as tf from '@tensorflow/tfjs-core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/util/index.js';
import {
  expectNoLeaks,
  gaussianMatrix,
  matmul,
  proposeContext,
  randomImages,
  randomOrthogonal,
  smallVit,
  syntheticDataset,
  TINY_MODELS,
  useCpu,
} from '../../src/testing/index.js';

beforeAll(useCpu);

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

describe('expectNoLeaks', () => {
  it('returns the result of a sync or an async function that frees its tensors', async () => {
    expect(await expectNoLeaks(() => tf.tidy(() => tf.sum(tf.ones([3])).dataSync()[0]))).toBe(3);
    const read = async (): Promise<number> => {
      const t = tf.ones([2]);
      const values = await t.data();
      t.dispose();
      return values.length;
    };
    expect(await expectNoLeaks(read)).toBe(2);
  });

  it('fails, naming the leak, when a tensor is left allocated', async () => {
    let leaked: tf.Tensor | undefined;
    await expect(
      expectNoLeaks(() => {
        leaked = tf.zeros([2]);
      }),
    ).rejects.toThrow(/tensors leaked/);
    leaked?.dispose();
  });
});

describe('synthetic data', () => {
  it('is seeded uniform noise in the range, labels cycling over the classes unless told otherwise', () => {
    const ds = syntheticDataset({ count: 6, shape: [2, 2, 1], classes: 4, seed: 4 });
    expect(ds).toMatchObject({ name: 'synthetic', count: 6, shape: [2, 2, 1], numClasses: 4 });
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 3, 0, 1]);
    const rng = createRng(4);
    expect(Array.from(ds.images)).toEqual(Array.from(Float32Array.from({ length: 24 }, () => rng.next() * 2 - 1)));
    expect(syntheticDataset({ count: 6, shape: [2, 2, 1], classes: 4, seed: 4 }).images).toEqual(ds.images);
    const unit = syntheticDataset({ count: 3, shape: [2, 2, 1], classes: 2, seed: 1, range: [0, 1], label: () => 0 });
    expect(Math.min(...unit.images)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...unit.images)).toBeLessThan(1);
    expect(Array.from(unit.labels)).toEqual([0, 0, 0]);
    expect(randomImages([3, 2, 2, 1], 1, [0, 1])).toEqual(unit.images);
  });
});

describe('tiny models and the propose context', () => {
  it('builds every topology, and a context with 4 images per class of the parent input by default', () => {
    for (const build of Object.values(TINY_MODELS)) build().dispose();
    const vit = smallVit();
    const logs: string[] = [];
    const ctx = proposeContext(vit, { seed: 3, logs });
    expect(ctx.train).toMatchObject({ count: 16, shape: [8, 8, 1], numClasses: 4 });
    expect(ctx.graph.groups.length).toBeGreaterThan(0);
    expect(ctx.rng.state()).toBe(createRng(3).state());
    ctx.log('hello');
    expect(logs).toEqual(['hello']);
    expect(proposeContext(TINY_MODELS.mlp()).train.count).toBe(0); // not an image model
    vit.dispose();
  });
});

describe('matrices', () => {
  it('randomOrthogonal gives Q with Q^T Q = I', () => {
    const rng = createRng(5);
    const q = randomOrthogonal(rng, 6);
    const qtq = matmul(
      q[0].map((_, i) => q.map((row) => row[i])),
      q,
    );
    qtq.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 10)));
    expect(gaussianMatrix(createRng(1), 2, 3)).toEqual(gaussianMatrix(createRng(1), 2, 3));
  });
});

describe('the testing subpath stays out of the main entry', () => {
  it('no source file outside src/testing imports vitest or the testing folder', () => {
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (path !== join(SRC, 'testing')) visit(path);
        } else if (entry.name.endsWith('.ts') && /from '(vitest|[./]+testing\/[^']*)'/.test(readFileSync(path, 'utf8'))) {
          offenders.push(path);
        }
      }
    };
    visit(SRC);
    expect(offenders).toEqual([]);
  });
});
