import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { missingGradientKernels } from '../../src/train/gradient-kernels.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import { convBnClassifier, expectNoLeaks, mlpClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset } from './fixtures.js';

const train = prototypeDataset(128, 31);

describe('backends without gradient kernels (wasm)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(useCpu);

  it('rejects a conv model with E_BACKEND before any step, leaking nothing', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(missingGradientKernels(convBnClassifier())).toContain('Conv2DBackpropFilter');
    const model = convBnClassifier();
    await expectNoLeaks(async () => {
      const err = await createSgdTrainer({ epochs: 1 })
        .fit(model, train)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isOmnipruneError(err, 'E_BACKEND')).toBe(true);
      expect((err as Error).message).toMatch(/wasm backend cannot train .*Conv2DBackpropFilter[\s\S]*hint: train on the cpu backend/);
    });
    // Inference still works on wasm.
    expect((await createSgdTrainer().evaluate(model, train)).accuracy).toBeGreaterThanOrEqual(0);
  });

  it('still trains a dense model on wasm', async () => {
    const model = mlpClassifier();
    expect(missingGradientKernels(model)).toEqual([]);
    await createSgdTrainer({ epochs: 2, batchSize: 32, lr: 0.05 }).fit(model, train);
    expect((await createSgdTrainer().evaluate(model, train)).accuracy).toBeGreaterThan(0.9);
  });

  it('cpu has every gradient kernel', async () => {
    await useCpu();
    expect(missingGradientKernels(convBnClassifier())).toEqual([]);
  });
});
