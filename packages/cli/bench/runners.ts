/**
 * `pnpm bench` (cli): the inference runners side by side, in one run.
 * 1. ResNet-20/56 inference (batch 64, 32x32x3): TF.js on the default backend, onnxruntime (`--threads`), PyTorch
 *    CPU (same thread count); img/s and ratios to PyTorch.
 * 2. One full pruning iteration of `examples/fashion-mnist-resnet56.yaml` (baseline evaluation, block-kl scoring,
 *    candidate features, winner fine-tune, evaluation) with each runner: wall time and the time spent in the runner.
 * Options: --depths 20,56 --seconds 20 --threads 2 --iteration true|false --pipeline FILE
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { buildZooModel } from '@omniprune/core/zoo';
import { describeBackend } from '@omniprune/core/backend';
import { initBackend, loadPipeline, runPipeline } from '@omniprune/core';
import { tfjsInferenceRunner, type InferenceRunner } from '@omniprune/core/prune';
import type { ImageDataset } from '@omniprune/core/data';
import { createOnnxRunner, loadOnnxRuntime, onnxInferenceRunner } from '@omniprune/onnx';
import { imagesPerSecond, torchReference } from '../../core/bench/reference.js';
import { builtinContainer } from '../src/shared/plugin-registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    depths: { type: 'string', default: '20,56' },
    seconds: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    iteration: { type: 'string', default: 'true' },
    pipeline: { type: 'string', default: resolve(here, '../../../examples/fashion-mnist-resnet56.yaml') },
  },
});
const batch = 64;
const seconds = Number(values.seconds);
const threads = Number(values.threads);
const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a').padStart(10);
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a');

async function inferenceRows(depth: number, ortAvailable: boolean): Promise<void> {
  const model = buildZooModel(`resnet${depth}`, { inputShape: [32, 32, 3], classes: 10, seed: 1 });
  const images = new Float32Array(batch * 32 * 32 * 3).map((_, i) => Math.sin(i));
  const input = tf.tensor4d(images, [batch, 32, 32, 3]);
  const tfjs = await imagesPerSecond(() => tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync()), batch, seconds);
  input.dispose();
  let ort = NaN;
  if (ortAvailable) {
    const ds: ImageDataset = { name: 'bench', shape: [32, 32, 3], numClasses: 10, count: batch, images, labels: new Int32Array(batch) };
    const runner = await createOnnxRunner(model, { threads });
    ort = await imagesPerSecond(() => runner.run(ds, batch), batch, seconds);
    await runner.dispose();
  }
  model.dispose();
  const ref = torchReference(depth, batch, threads, seconds);
  const torch = typeof ref === 'string' ? NaN : ref.infer;
  console.log(
    `resnet${String(depth).padEnd(4)} ${fmt(tfjs)} ${fmt(ort)} ${fmt(torch)}   ${ratio(tfjs, torch).padStart(8)} ${ratio(ort, torch).padStart(8)} ${ratio(ort, tfjs).padStart(8)}`,
  );
  if (typeof ref === 'string') console.log(`  (${ref})`);
}

/** `runner` with the wall time spent inside its calls added up, in total and per method. */
function timed(runner: InferenceRunner): InferenceRunner & { ms: number; perMethod: Record<string, number> } {
  const t = { ms: 0, perMethod: {} as Record<string, number> };
  const wrap =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const start = performance.now();
      try {
        return await f(...a);
      } finally {
        const ms = performance.now() - start;
        t.ms += ms;
        t.perMethod[name] = (t.perMethod[name] ?? 0) + ms;
      }
    };
  return Object.assign(t, {
    name: runner.name,
    capture: wrap('capture', runner.capture),
    evaluate: wrap('evaluate', runner.evaluate),
    predictLogits: wrap('predictLogits', runner.predictLogits),
    ...(runner.readMasked ? { readMasked: wrap('readMasked', runner.readMasked) } : {}),
    ...(runner.timed ? { timed: runner.timed } : {}),
  });
}

async function iterationRow(runner: InferenceRunner): Promise<{ seconds: number; inRunner: number; perMethod: Record<string, number>; chosen: string }> {
  const container = builtinContainer();
  const loaded = await loadPipeline(values.pipeline!, container);
  const pipeline = { ...loaded, stop: { ...loaded.stop, maxIterations: 1 } };
  const outDir = await mkdtemp(join(tmpdir(), `omniprune-bench-${runner.name}-`));
  const clock = timed(runner);
  const start = performance.now();
  try {
    const report = await runPipeline(pipeline, { container, outDir, runner: clock });
    const it = report.iterations[0];
    return { seconds: (performance.now() - start) / 1000, inRunner: clock.ms / 1000, perMethod: clock.perMethod, chosen: it.candidates[it.chosen].summary };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const info = await initBackend('auto');
const ort = await loadOnnxRuntime();
console.log(
  `${describeBackend(info)}; onnxruntime ${ort instanceof Error ? `unavailable (${ort.message})` : `${threads} threads`}; PyTorch ${threads} threads; batch ${batch}, 32x32x3, ${seconds} s per measurement`,
);
console.log('inference  tfjs img/s  ort img/s  torch img/s  tfjs/torch ort/torch ort/tfjs');
for (const depth of values.depths!.split(',').map(Number)) await inferenceRows(depth, !(ort instanceof Error));

if (values.iteration === 'true' && !(ort instanceof Error)) {
  console.log(`\none pruning iteration of ${values.pipeline} (baseline evaluation + iteration 1), per runner:`);
  const rows = [];
  for (const runner of [tfjsInferenceRunner, onnxInferenceRunner(threads)]) {
    const row = await iterationRow(runner).catch((err: Error) => {
      console.log(`  skipped: ${err.message.split('\n')[0]}`);
      return null;
    });
    if (!row) break;
    rows.push(row);
    console.log(
      `${runner.name.padEnd(12)} ${row.seconds.toFixed(1).padStart(7)} s total, ${row.inRunner.toFixed(1).padStart(7)} s in the runner; chose: ${row.chosen}`,
    );
    console.log(
      `  ${Object.entries(row.perMethod)
        .map(([m, ms]) => `${m} ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
  }
  if (rows.length === 2)
    console.log(`ratio tfjs/onnxruntime: total ${ratio(rows[0].seconds, rows[1].seconds)}, runner work ${ratio(rows[0].inRunner, rows[1].inRunner)}`);
}
