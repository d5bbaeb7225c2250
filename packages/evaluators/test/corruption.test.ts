import { describe, expect, it } from 'vitest';
import { CORRUPTION_NAMES, corruptImages, corruptionErrorRates, type CorruptionName } from '../src/corruption/index.js';
import { randomImages } from '@omniprune/core/testing';

const gray = [8, 8, 1] as const;
const rgb = [6, 10, 3] as const;
const count = 6;

/** Corruptions that draw from the generator (the others are deterministic functions of the image). */
const SEEDED: CorruptionName[] = ['gaussian-noise', 'shot-noise', 'impulse-noise', 'motion-blur', 'rotation', 'shear', 'translation', 'stripe', 'fog'];

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('corruptImages', () => {
  it('lists the 13 corruptions of the suite', () => {
    expect(CORRUPTION_NAMES).toHaveLength(13);
    expect(SEEDED.every((name) => CORRUPTION_NAMES.includes(name))).toBe(true);
  });

  for (const shape of [gray, rgb]) {
    for (const range of [
      [0, 1],
      [0, 255],
    ] as const) {
      const images = randomImages([count, ...shape], 5, range);
      const original = images.slice();

      it(`keeps the shape and the pixel range, leaves the input alone, changes every image at severity 5 (${shape.join('x')}, [${range}])`, () => {
        for (const name of CORRUPTION_NAMES) {
          for (const severity of [1, 3, 5]) {
            const out = corruptImages(images, shape, name, severity, { seed: 1, pixelRange: range });
            expect(out.length, name).toBe(images.length);
            expect(
              out.every((v) => Number.isFinite(v) && v >= range[0] && v <= range[1]),
              `${name}@${severity} in range`,
            ).toBe(true);
            if (severity === 5) {
              const per = shape[0] * shape[1] * shape[2];
              for (let i = 0; i < count; i++) {
                const diff = maxAbsDiff(out.subarray(i * per, (i + 1) * per), images.subarray(i * per, (i + 1) * per));
                expect(diff, `${name} changes image ${i}`).toBeGreaterThan(0.01 * (range[1] - range[0]));
              }
            }
          }
        }
        expect(images).toEqual(original);
      });

      it(`severity 0 is the identity (a copy) (${shape.join('x')}, [${range}])`, () => {
        for (const name of CORRUPTION_NAMES) {
          const out = corruptImages(images, shape, name, 0, { seed: 1, pixelRange: range });
          expect(out).toEqual(images);
          expect(out).not.toBe(images);
        }
      });
    }
  }

  it('is deterministic for a seed and differs for another seed', () => {
    const images = randomImages([count, ...rgb], 8, [0, 1]);
    for (const name of CORRUPTION_NAMES) {
      const a = corruptImages(images, rgb, name, 4, { seed: 3 });
      expect(corruptImages(images, rgb, name, 4, { seed: 3 }), name).toEqual(a);
      if (SEEDED.includes(name)) expect(corruptImages(images, rgb, name, 4, { seed: 4 }), name).not.toEqual(a);
    }
  });

  it('gives the same images when a set is corrupted in chunks (firstIndex)', () => {
    const images = randomImages([count, ...gray], 9, [0, 1]);
    const per = gray[0] * gray[1];
    for (const name of SEEDED) {
      const whole = corruptImages(images, gray, name, 2, { seed: 5 });
      const head = corruptImages(images.subarray(0, 2 * per), gray, name, 2, { seed: 5 });
      const tail = corruptImages(images.subarray(2 * per), gray, name, 2, { seed: 5, firstIndex: 2 });
      expect(Float32Array.from([...head, ...tail]), name).toEqual(whole);
    }
  });

  it('noise grows with severity', () => {
    const images = randomImages([20, ...gray], 2, [0.3, 0.7]);
    for (const name of ['gaussian-noise', 'shot-noise', 'impulse-noise'] as const) {
      const error = [1, 3, 5].map((s) => corruptImages(images, gray, name, s, { seed: 1 }).reduce((sum, v, i) => sum + Math.abs(v - images[i]), 0));
      expect(error[0], name).toBeLessThan(error[1]);
      expect(error[1], name).toBeLessThan(error[2]);
    }
  });

  it('computes known corruptions exactly: brightness and contrast on a grayscale image', () => {
    const image = Float32Array.from([0, 0.25, 0.5, 0.95]);
    expect(Array.from(corruptImages(image, [2, 2, 1], 'brightness', 5, { seed: 1 }))).toEqual(Array.from(Float32Array.from([0.3, 0.55, 0.8, 1])));
    const mean = 0.425;
    const expected = Float32Array.from(image, (v) => (v - mean) * 0.15 + mean);
    corruptImages(image, [2, 2, 1], 'contrast', 5, { seed: 1 }).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('rejects bad severities and unknown corruptions with a clear message', () => {
    const images = randomImages([1, ...gray], 1, [0, 1]);
    expect(() => corruptImages(images, gray, 'fog', 6, { seed: 1 })).toThrow(/severity must be an integer from 0 to 5, got 6/);
    expect(() => corruptImages(images, gray, 'fog', 1.5, { seed: 1 })).toThrow(/severity/);
    expect(() => corruptImages(images, gray, 'snow' as CorruptionName, 1, { seed: 1 })).toThrow(/unknown corruption "snow"/);
  });
});

describe('corruptionErrorRates (Hendrycks & Dietterich 2019)', () => {
  const base = { cleanError: 0.05, severities: [1, 2], errors: { fog: [0.1, 0.2], stripe: [0.3, 0.5] } };

  it('is 1 for a model compared with itself', () => {
    const rates = corruptionErrorRates(base, base);
    expect(rates.mCE).toBe(1);
    expect(rates.relativeMCE).toBe(1);
    expect(rates.skipped).toEqual([]);
  });

  it('computes CE = sum E / sum E_ref and relative CE = sum (E - E_clean) / sum (E_ref - E_ref_clean)', () => {
    const model = { cleanError: 0.1, severities: [1, 2], errors: { fog: [0.2, 0.4], stripe: [0.3, 0.5] } };
    const rates = corruptionErrorRates(model, base);
    expect(rates.ce.fog).toBeCloseTo(0.6 / 0.3, 12);
    expect(rates.relativeCE.fog).toBeCloseTo(0.4 / 0.2, 12);
    expect(rates.ce.stripe).toBeCloseTo(1, 12);
    expect(rates.relativeCE.stripe).toBeCloseTo(0.6 / 0.7, 12);
    expect(rates.mCE).toBeCloseTo((2 + 1) / 2, 12);
    expect(rates.relativeMCE).toBeCloseTo((2 + 0.6 / 0.7) / 2, 12);
  });

  it('uses only the severities and corruptions both evaluated, and skips undefined ratios', () => {
    const model = { cleanError: 0, severities: [2, 3], errors: { fog: [0.4, 0.9], rotation: [0.5, 0.5], stripe: [0.1, 0.1] } };
    const reference = { cleanError: 0.1, severities: [1, 2], errors: { fog: [0.1, 0.2], stripe: [0, 0] } };
    const rates = corruptionErrorRates(model, reference);
    expect(rates.ce).toEqual({ fog: 2 });
    expect(rates.relativeCE).toEqual({ fog: 0.4 / 0.1 });
    expect(rates.skipped).toHaveLength(3);
    expect(rates.skipped.join('\n')).toMatch(/rotation: not evaluated on the reference/);
    expect(rates.skipped.join('\n')).toMatch(/stripe: the reference makes no errors/);
  });
});
