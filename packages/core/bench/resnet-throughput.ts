/**
 * `pnpm bench` (core): training-step and inference throughput, and peak memory, of the zoo's CIFAR ResNet-20/56
 * (32x32x3) and a small ViT (28x28x1, see `BENCH_VIT` in `bench-nets.ts`), batch 64, on each TF.js backend named
 * (default: native, i.e. wasm + oneDNN kernels, and wasm), and of the same networks in PyTorch CPU with the same
 * thread count, in one run, when `/usr/bin/python3 -c 'import torch'` works. Prints img/s, the ratio to PyTorch and
 * peak RSS. Fails before measuring TF.js if a network's trainable parameter count differs from its PyTorch twin.
 * Options: --nets resnet20,resnet56,vit --seconds 20 --backends native,wasm --threads 2 --batch 64
 * (--depths 20,56 is still accepted and means --nets resnet20,resnet56).
 *
 * Memory columns. "peak RSS MB" is the highest RSS of this Node process (sampled every 5 ms by a worker thread)
 * during that row's measurement, and in brackets its increase over the RSS just before the row. Inference is measured
 * first, from before the model is built (its increase = weights + inference working set), then training (its
 * increase = what training adds on top: gradients, momentum, kept activations). The process also holds every
 * backend's state initialised so far, and wasm memory only grows, so a later row's increase can be ~0 when an earlier
 * row (another network or mode on the same wasm heap) already grew the heap: compare increases within one row order.
 * "PyTorch peak RSS MB" is ru_maxrss of the separate Python process (interpreter and torch included, ~200+ MB before
 * any network): for train at the end of training, for infer at the end of the run (a high-water mark, so the infer
 * figure includes the training phase). Absolute peaks of the two runtimes are not like-for-like.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type BackendName, describeBackend } from '../src/backend/index.js';
import { createSgdTrainer } from '../src/train/index.js';
import { initBackend } from '../src/index.js';
import { type BenchNet, benchNet } from './bench-nets.js';
import { type RssSampler, startRssSampler } from './peak-rss.js';
import { imagesPerSecond, type TorchResult, torchRun } from './reference.js';

const { values } = parseArgs({
  options: {
    nets: { type: 'string', default: 'resnet20,resnet56,vit' },
    depths: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '64' },
    backends: { type: 'string', default: 'native,wasm' },
    threads: { type: 'string', default: '2' },
  },
});
const batch = Number(values.batch);
const seconds = Number(values.seconds);
const threads = Number(values.threads);
const throughput = (step: () => Promise<void> | void) => imagesPerSecond(step, batch, seconds);

type Mode = 'train' | 'infer';
/** One TF.js row: img/s, peak RSS (MB) during the measurement and its increase over the RSS before it. */
interface Measured {
  imgPerSec: number;
  peakRssMb: number;
  rssIncreaseMb: number;
}

const trainableParams = (model: tfl.LayersModel) => model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);

async function tfjsRows(net: BenchNet, torchParams: number | undefined, rss: RssSampler): Promise<Record<Mode, Measured> & { params: number }> {
  const inferBefore = rss.reset();
  const model = net.build();
  const params = trainableParams(model);
  if (torchParams !== undefined && params !== torchParams) {
    model.dispose();
    throw new Error(
      `${net.name}: trainable parameters differ, TF.js ${params} vs PyTorch ${torchParams} (bench/${net.torch.script}); ` +
        'the PyTorch reference no longer matches the zoo model: fix it before comparing speeds',
    );
  }
  const [h, w, c] = net.inputShape;
  const x = new Float32Array(batch * h * w * c).map((_, i) => Math.sin(i));
  const y = new Int32Array(batch).map((_, i) => i % 10);
  const input = tf.tensor4d(x, [batch, h, w, c]);
  const infer = await throughput(() => {
    tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
  });
  const inferPeak = rss.peak();
  input.dispose();
  const trainBefore = rss.reset();
  const trainer = createSgdTrainer({ epochs: 1, batchSize: batch, lr: 0.01 });
  const train = await throughput(async () => {
    await trainer.fit(model, () => [{ x, y, size: batch }], { epochs: 1 });
  });
  const trainPeak = rss.peak();
  model.dispose();
  return {
    params,
    infer: { imgPerSec: infer, peakRssMb: inferPeak, rssIncreaseMb: inferPeak - inferBefore },
    train: { imgPerSec: train, peakRssMb: trainPeak, rssIncreaseMb: trainPeak - trainBefore },
  };
}

/** Right-align every column but the first three (names), pad to the widest cell. */
function formatTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col < 3 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
}

const netNames = values.depths ? values.depths.split(',').map((d) => `resnet${d.trim()}`) : values.nets!.split(',').map((n) => n.trim());
const nets = netNames.map(benchNet);
const backends = values.backends!.split(',').map((b) => b.trim()) as BackendName[];
console.log(`batch ${batch}, ${seconds} s per measurement, ${threads} threads for every backend and PyTorch`);
const rss = await startRssSampler();
const table: string[][] = [['network', 'mode', 'backend', 'img/s', 'PyTorch img/s', 'ratio', 'peak RSS MB (+incr.)', 'PyTorch peak RSS MB']];
const mb = (v: number) => v.toFixed(0);
for (const net of nets) {
  console.log(`${net.name}: ${net.description}`);
  const ref: TorchResult | string = torchRun(net.torch.script, net.torch.args, batch, threads, seconds);
  if (typeof ref === 'string') console.log(`  (${ref}; parameter counts not compared)`);
  const ours = new Map<string, Record<Mode, Measured>>();
  let params = 0;
  for (const backend of backends) {
    const info = await initBackend(backend, { threads });
    console.log(`  ${describeBackend(info)}`);
    const rows = await tfjsRows(net, typeof ref === 'string' ? undefined : ref.params, rss);
    params = rows.params;
    ours.set(backend, rows);
  }
  console.log(`  trainable parameters: TF.js ${params}, PyTorch ${typeof ref === 'string' ? 'n/a' : ref.params}`);
  for (const mode of ['train', 'infer'] as const) {
    const theirs = typeof ref === 'string' ? NaN : ref[mode];
    const theirPeak = typeof ref === 'string' ? 'n/a' : mb(mode === 'train' ? ref.peakRssMb.train : ref.peakRssMb.process);
    for (const [backend, r] of ours) {
      const m = r[mode];
      const ratio = Number.isFinite(theirs) ? `${(m.imgPerSec / theirs).toFixed(3)}x` : 'n/a';
      const increase = `${m.rssIncreaseMb >= 0 ? '+' : ''}${mb(m.rssIncreaseMb)}`;
      table.push([
        net.name,
        mode,
        backend,
        m.imgPerSec.toFixed(1),
        Number.isFinite(theirs) ? theirs.toFixed(1) : 'n/a',
        ratio,
        `${mb(m.peakRssMb)} (${increase})`,
        theirPeak,
      ]);
    }
  }
}
await rss.stop();
for (const line of formatTable(table)) console.log(line);
console.log(
  'peak RSS: this Node process during the row (all backends so far included), + increase over the RSS before the row ' +
    '(infer from before building the model, then train); PyTorch: ru_maxrss of its own process (train: end of training, ' +
    'infer: whole run). See the header of bench/resnet-throughput.ts.',
);
