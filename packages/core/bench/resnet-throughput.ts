/**
 * `pnpm bench` (core): training-step and inference throughput of CIFAR ResNet-20/56 (batch 64, 32x32x3) on each
 * TF.js backend named (default: native, i.e. wasm + oneDNN kernels, and wasm), and of the same networks in PyTorch
 * CPU with the same thread count, in one run, when `/usr/bin/python3 -c 'import torch'` works. Prints img/s and the
 * ratio to PyTorch. Options: --depths 20,56 --seconds 20 --backends native,wasm --threads 2
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { buildZooModel, createSgdTrainer, describeBackend, initBackend, type BackendName } from '../src/index.js';
import { imagesPerSecond, torchReference } from './reference.js';

const { values } = parseArgs({
  options: {
    depths: { type: 'string', default: '20,56' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '64' },
    backends: { type: 'string', default: 'native,wasm' },
    threads: { type: 'string', default: '2' },
  },
});
const batch = Number(values.batch);
const seconds = Number(values.seconds);
const throughput = (step: () => Promise<void> | void) => imagesPerSecond(step, batch, seconds);

async function tfjsRow(depth: number): Promise<{ train: number; infer: number }> {
  const model = buildZooModel(`resnet${depth}`, { inputShape: [32, 32, 3], classes: 10, seed: 1 });
  const x = new Float32Array(batch * 32 * 32 * 3).map((_, i) => Math.sin(i));
  const y = new Int32Array(batch).map((_, i) => i % 10);
  const trainer = createSgdTrainer({ epochs: 1, batchSize: batch, lr: 0.01 });
  const train = await throughput(async () => {
    await trainer.fit(model, () => [{ x, y, size: batch }], { epochs: 1 });
  });
  const input = tf.tensor4d(x, [batch, 32, 32, 3]);
  const infer = await throughput(() => {
    tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
  });
  input.dispose();
  model.dispose();
  return { train, infer };
}

const threads = Number(values.threads);
const backends = values.backends!.split(',').map((b) => b.trim()) as BackendName[];
console.log(`batch ${batch}, 32x32x3, ${seconds} s per measurement, ${threads} threads for every backend and PyTorch`);
const rows: string[] = [];
for (const depth of values.depths!.split(',').map(Number)) {
  const ours = new Map<string, { train: number; infer: number }>();
  for (const backend of backends) {
    const info = await initBackend(backend, { threads });
    console.log(describeBackend(info));
    ours.set(backend, await tfjsRow(depth));
  }
  const ref = torchReference(depth, batch, threads, seconds);
  if (typeof ref === 'string') console.log(`  (${ref})`);
  for (const mode of ['train', 'infer'] as const) {
    const theirs = typeof ref === 'string' ? NaN : ref[mode];
    for (const [backend, r] of ours) {
      const ratio = Number.isFinite(theirs) ? `${(r[mode] / theirs).toFixed(3)}x` : 'n/a';
      rows.push(
        `resnet${String(depth).padEnd(5)} ${mode.padEnd(6)} ${backend.padEnd(8)} ${r[mode].toFixed(1).padStart(10)}  ${Number.isFinite(theirs) ? theirs.toFixed(1).padStart(13) : '          n/a'}  ${ratio}`,
      );
    }
  }
}
console.log('network     mode   backend       img/s  PyTorch img/s  ratio');
for (const row of rows) console.log(row);
