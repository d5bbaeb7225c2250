import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '@omniprune/backend-native';
import { initBackend } from '../../src/backend/index.js';
import { SGD_UPDATE_KERNEL, createSgd, type SgdParam } from '../../src/train/sgd.js';

afterAll(async () => {
  await initBackend('cpu');
});

/** Five SGD steps on fixed parameters and gradients; returns the final parameters and the kernels the last step ran. */
async function fiveSteps(backend: 'cpu' | 'native', config: { momentum: number; nesterov: boolean; weightDecay: number }) {
  await initBackend(backend);
  const shapes = [[3, 3, 4, 8], [8], [37]];
  const vars = shapes.map((s, k) =>
    tf.variable(
      tf.tensor(
        Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + k)),
        s,
      ),
    ),
  );
  const params: SgdParam[] = vars.map((v, k) => ({ variable: v, decay: k === 0, write: (t) => v.assign(t) }));
  const sgd = createSgd(params, config);
  let kernels: string[] = [];
  for (let step = 0; step < 5; step++) {
    const grads = Object.fromEntries(
      vars.map((v, k) => [
        v.name,
        tf.tensor(
          Float32Array.from({ length: v.size }, (_, i) => Math.cos(i * (step + 1) + k)),
          v.shape,
        ),
      ]),
    );
    const profile = await tf.profile(() => sgd.step(grads, 0.1));
    kernels = profile.kernels.map((k) => k.name);
    tf.dispose(Object.values(grads));
  }
  const out = vars.map((v) => Array.from(v.dataSync()));
  sgd.dispose();
  tf.dispose(vars);
  return { out, kernels };
}

const addon = loadNativeAddon();
describe.skipIf(addon instanceof Error && !process.env.OMNIPRUNE_REQUIRE_NATIVE)('createSgd on the native backend', () => {
  it.each([
    { momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
    { momentum: 0.9, nesterov: false, weightDecay: 0 },
  ])('runs one fused kernel per parameter and equals the tfjs ops on cpu (%o)', async (config) => {
    const cpu = await fiveSteps('cpu', config);
    const native = await fiveSteps('native', config);
    expect(cpu.kernels).not.toContain(SGD_UPDATE_KERNEL);
    expect(native.kernels.filter((k) => k === SGD_UPDATE_KERNEL)).toHaveLength(3);
    expect(native.kernels).not.toContain('Sub');
    for (const [k, values] of native.out.entries()) for (const [i, v] of values.entries()) expect(v).toBeCloseTo(cpu.out[k][i], 5);
  });
});
