/**
 * Where a training step's time goes, kernel by kernel: `tf.profile` over `--steps` training steps (batch `--batch`,
 * after 3 warm-up steps) of a `pnpm bench` network on `--backend`, printed as milliseconds and calls per step for
 * the `--top` kernels, and the step's wall time against the sum of kernel times (the rest is JavaScript: the engine,
 * the tape, the trainer). Wrapper ops (`fusedConv2d__op`, `logSoftmax__op`, ...) contain the kernels they call and are
 * left out of the sum. Profile on an idle machine: under load the ranking says more about contention than kernels.
 * Options: --net resnet56 --backend native --threads 2 --batch 64 --steps 3 --top 20
 * @example
 * npx tsx --conditions=omniprune-src bench/kernel-profile.ts --net resnet20
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../src/backend/index.js';
import { createSgdTrainer } from '../src/train/index.js';
import { initBackend } from '../src/index.js';
import { benchNet } from './bench-nets.js';

const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'resnet56' },
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '3' },
    top: { type: 'string', default: '20' },
  },
});
const [batch, steps, top] = [Number(values.batch), Number(values.steps), Number(values.top)];
await initBackend(values.backend as BackendName, { threads: Number(values.threads) });
const net = benchNet(values.net);
const model = net.build();
const x = new Float32Array(batch * net.inputShape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i));
const y = new Int32Array(batch).map((_, i) => i % 10);
const trainer = createSgdTrainer({ epochs: 1, batchSize: batch, lr: 0.01 });
const step = () => trainer.fit(model, () => [{ x, y, size: batch }], { epochs: 1 });
for (let i = 0; i < 3; i++) await step();
const start = performance.now();
const profile = await tf.profile(async () => {
  for (let i = 0; i < steps; i++) await step();
});
const wallMs = (performance.now() - start) / steps;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  if (k.name.endsWith('__op')) continue;
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += Number(k.kernelTimeMs) || 0;
  entry.calls++;
  byKernel.set(k.name, entry);
}
const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((sum, [, e]) => sum + e.ms, 0) / steps;
console.log(`${net.description}, ${values.backend}, batch ${batch}: ${wallMs.toFixed(1)} ms per training step, ${kernelMs.toFixed(1)} ms in kernels`);
console.log(`${'kernel'.padEnd(28)}${'ms/step'.padStart(10)}${'calls/step'.padStart(12)}${'share'.padStart(8)}`);
for (const [name, e] of rows.slice(0, top)) {
  const ms = e.ms / steps;
  console.log(
    `${name.padEnd(28)}${ms.toFixed(2).padStart(10)}${(e.calls / steps).toFixed(0).padStart(12)}${`${((100 * ms) / wallMs).toFixed(1)} %`.padStart(8)}`,
  );
}
model.dispose();
