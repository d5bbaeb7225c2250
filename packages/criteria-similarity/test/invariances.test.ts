import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@omniprune/core/util';
import { gaussianMatrix, matmul, randomOrthogonal, useCpu } from '@omniprune/core/testing';
import { outputKlSimilarity, predictionAgreement, procrustesSimilarity, pwcca, rsa, svcca } from '../src/index.js';

beforeAll(useCpu);

const rng = createRng(11);
const matrix = (n: number, p: number): number[][] => gaussianMatrix(rng, n, p);

const x = matrix(40, 6);
const rotated = matmul(x, randomOrthogonal(rng, 6));
const scaled = x.map((row) => row.map((v) => 3.5 * v + 2));
const anisotropic = x.map((row) => row.map((v, j) => v * (j + 1) ** 2));
const permutedFeatures = x.map((row) => [...row].reverse());

describe('invariances each metric should (or should not) have', () => {
  it('every metric gives 1 for identical representations, rotations, permutations and isotropic scaling', () => {
    for (const metric of [procrustesSimilarity, svcca, pwcca, rsa]) {
      for (const y of [x, rotated, scaled, permutedFeatures]) expect(metric(x, y)).toBeCloseTo(1, 8);
    }
  });

  it('CCA-based metrics are invariant to invertible linear maps; Procrustes and RSA are not', () => {
    expect(svcca(x, anisotropic, { keep: 1 })).toBeCloseTo(1, 8);
    expect(pwcca(x, anisotropic)).toBeCloseTo(1, 8);
    expect(procrustesSimilarity(x, anisotropic)).toBeLessThan(0.9);
    expect(rsa(x, anisotropic)).toBeLessThan(0.95);
  });

  it('unrelated representations score far below related ones', () => {
    const noise = matrix(40, 6);
    for (const metric of [procrustesSimilarity, svcca, pwcca, rsa])
      expect(metric(x, noise)).toBeLessThan(
        metric(
          x,
          x.map((r) => r.map((v) => v + 0.3 * matrix(1, 1)[0][0])),
        ),
      );
  });

  it('output baselines: identical logits give 1, shifted logits (same softmax) give 1, a flipped prediction lowers agreement', () => {
    const logits = matrix(20, 3);
    expect(
      outputKlSimilarity(
        logits,
        logits.map((r) => r.map((v) => v + 5)),
      ),
    ).toBeCloseTo(1, 12);
    expect(predictionAgreement(logits, logits)).toBe(1);
    const flipped = logits.map((r, i) => (i === 0 ? r.map((v) => -v) : r));
    expect(predictionAgreement(logits, flipped)).toBe(19 / 20);
    expect(outputKlSimilarity(logits, flipped)).toBeLessThan(1);
  });

  it('accepts tensors and number[][] alike', () => {
    const t = tf.tensor2d(x);
    const r = tf.tensor2d(rotated);
    expect(procrustesSimilarity(t, r)).toBeCloseTo(procrustesSimilarity(x, rotated), 6);
    expect(pwcca(t, r)).toBeCloseTo(pwcca(x, rotated), 6);
    t.dispose();
    r.dispose();
  });
});

describe('bad input', () => {
  it('names the metric and the problem', () => {
    expect(() => svcca(matrix(5, 8), matrix(5, 2))).toThrow(/\[criterion:svcca\] CCA needs more samples than features: 5 samples, 8 and 2 features/);
    expect(() =>
      procrustesSimilarity(
        x,
        x.map(() => [1, 1]),
      ),
    ).toThrow(/\[criterion:procrustes\] y is constant across samples/);
    expect(() => rsa(x, matrix(39, 6))).toThrow(/\[criterion:rsa\] x has shape \[40, 6\] but y has shape \[39, 6\]/);
    expect(() => outputKlSimilarity(matrix(4, 3), matrix(4, 5))).toThrow(/x has 3 classes, y has 5[\s\S]*similarity.layer to logits/);
    expect(() => svcca(x, x, { keep: 0 })).toThrow(/keep must be in \(0, 1\]/);
  });
});
