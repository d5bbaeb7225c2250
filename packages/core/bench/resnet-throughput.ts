/**
 * `pnpm bench` (core): training and inference throughput of CIFAR ResNet-20/56 (batch 64, 32x32x3) on the default
 * TF.js backend, and of the same networks in PyTorch CPU in the same run when `/usr/bin/python3 -c 'import torch'`
 * works. Prints img/s and the ratio to PyTorch. Options: --depths 20,56 --seconds 20 --backend auto --threads 2
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
    backend: { type: 'string', default: 'auto' },
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

const info = await initBackend(values.backend as BackendName | 'auto');
console.log(`${describeBackend(info)}; batch ${batch}, 32x32x3, ${seconds} s per measurement, PyTorch threads ${values.threads}`);
console.log('network     mode    omniprune img/s  PyTorch img/s  ratio');
for (const depth of values.depths!.split(',').map(Number)) {
  const ours = await tfjsRow(depth);
  const ref = torchReference(depth, batch, Number(values.threads), seconds);
  for (const mode of ['train', 'infer'] as const) {
    const theirs = typeof ref === 'string' ? NaN : ref[mode];
    const ratio = Number.isFinite(theirs) ? `${(ours[mode] / theirs).toFixed(3)}x` : 'n/a';
    console.log(`resnet${String(depth).padEnd(5)} ${mode.padEnd(7)} ${ours[mode].toFixed(1).padStart(15)}  ${Number.isFinite(theirs) ? theirs.toFixed(1).padStart(13) : '          n/a'}  ${ratio}`);
  }
  if (typeof ref === 'string') console.log(`  (${ref})`);
}
