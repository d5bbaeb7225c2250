/**
 * Benchmark of omniprune's wasm training kernels (not a test): `npx tsx bench/conv-grad.bench.ts`.
 *
 * 1. ResNet-56 layers (batch 64, 3x3): wasm forward Conv2D vs omniprune's Conv2DBackpropInput / Filter vs the
 *    built-in wasm Conv2DBackpropInput, and the same kernels on the cpu backend.
 * 2. Training steps (forward + backward + SGD update, batch 64) of a CIFAR ResNet-20 (32x32x3) and a ViT
 *    (patch 4, dim 64, 4 blocks, 4 heads), built with tfjs-layers, on wasm with omniprune's kernels switched on
 *    step by step, then a per-kernel profile.
 * Options: --threads N (wasm threads, default all cores) --steps N (timed steps per configuration, default 3)
 * --cpu (also time one ResNet-20 step on the cpu backend) --skip-layers --skip-resnet --skip-vit
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackend, initBackend, profileKernels, registerWasmKernels, restoreWasmKernels, WASM_KERNEL_NAMES } from '../src/backend/index.js';

const { values: opts } = parseArgs({
  options: {
    threads: { type: 'string' },
    steps: { type: 'string', default: '3' },
    cpu: { type: 'boolean', default: false },
    'skip-layers': { type: 'boolean', default: false },
    'skip-vit': { type: 'boolean', default: false },
    'skip-resnet': { type: 'boolean', default: false },
  },
});
const STEPS = Number(opts.steps);
const BATCH = 64;
const builtInTileGradient = tf.getGradient('Tile'); // tfjs-layers registered TF.js's own; initBackend replaces it

/** Median milliseconds of `fn` over `reps` runs, after one warm-up when `warmUp` (outputs read back, disposed). */
function timeMs(fn: () => tf.Tensor, reps = 5, warmUp = true): number {
  const run = () => {
    const start = performance.now();
    const out = fn();
    out.dataSync();
    out.dispose();
    return performance.now() - start;
  };
  if (warmUp) run();
  const times = Array.from({ length: reps }, run).sort((a, b) => a - b);
  return times[Math.floor(reps / 2)];
}

const randn = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 1);

async function layerTable(): Promise<void> {
  const layers = [
    { name: '32x32x16 -> 16, stride 1', h: 32, c: 16, co: 16, s: 1 },
    { name: '8x8x64 -> 64, stride 1', h: 8, c: 64, co: 64, s: 1 },
    { name: '32x32x16 -> 32, stride 2', h: 32, c: 16, co: 32, s: 2 },
  ];
  console.log('\nResNet-56 layers, batch 64, 3x3 "same" (median ms)');
  console.log('layer                       backend  forward  dInput(omniprune)  dInput(built-in)  dFilter(omniprune)');
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend(backend);
    for (const l of layers) {
      const [x, w, dy] = [randn([BATCH, l.h, l.h, l.c]), randn([3, 3, l.c, l.co]), randn([BATCH, l.h / l.s, l.h / l.s, l.co])];
      const attrs = { strides: l.s, pad: 'same', dataFormat: 'NHWC' };
      const dInput = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor;
      const dFilter = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor;
      const wasm = backend === 'wasm'; // the cpu kernels take seconds: one untimed-warm-up-free run each
      const forward = timeMs(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, l.s, 'same'), wasm ? 7 : 1, wasm);
      const ours = wasm ? timeMs(dInput, 7) : NaN;
      if (wasm) restoreWasmKernels(['Conv2DBackpropInput']);
      const builtIn = timeMs(dInput, wasm ? 3 : 1, wasm);
      if (wasm) registerWasmKernels();
      const filter = timeMs(dFilter, wasm ? 7 : 1, wasm);
      const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1)).padStart(7);
      console.log(`${l.name.padEnd(28)}${backend.padEnd(7)}${f(forward)}  ${f(ours).padStart(17)}  ${f(builtIn).padStart(16)}  ${f(filter).padStart(18)}`);
      tf.dispose([x, w, dy]);
    }
  }
}

type Forward = (x: tf.Tensor) => tf.Tensor;

/** CIFAR ResNet-20 (zoo layout: conv-BN-ReLU basic blocks, 1x1 conv + BN projections, GAP, dense). */
function resnet20(): { model: tfl.LayersModel; forward: Forward } {
  const convBn = (x: tfl.SymbolicTensor, filters: number, k: number, s: number) =>
    tfl.layers
      .batchNormalization({ axis: -1 })
      .apply(tfl.layers.conv2d({ filters, kernelSize: k, strides: s, padding: 'same', useBias: false }).apply(x)) as tfl.SymbolicTensor;
  const relu = (x: tfl.SymbolicTensor) => tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  const input = tfl.input({ shape: [32, 32, 3] });
  let x = relu(convBn(input, 16, 3, 1));
  [16, 32, 64].forEach((width, stage) => {
    for (let b = 0; b < 3; b++) {
      const s = stage > 0 && b === 0 ? 2 : 1;
      const y = convBn(relu(convBn(x, width, 3, s)), width, 3, 1);
      x = relu(tfl.layers.add().apply([s === 1 ? x : convBn(x, width, 1, s), y]) as tfl.SymbolicTensor);
    }
  });
  const gap = tfl.layers.globalAveragePooling2d({}).apply(x);
  const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 10 }).apply(gap) as tfl.SymbolicTensor });
  return { model, forward: (t) => model.apply(t, { training: true }) as tf.Tensor };
}

/** ViT: 4x4 patches -> 64 tokens of width 64, position embedding, 4 pre-norm blocks (4 heads, MLP 128, GELU). */
function vit(): { model: tfl.LayersModel; forward: Forward } {
  const [dim, heads, depth] = [64, 4, 4];
  const embed = tfl.layers.conv2d({ filters: dim, kernelSize: 4, strides: 4 });
  const pos = tf.variable(tf.mul(randn([64, dim]), 0.02));
  const blocks = Array.from({ length: depth }, () => ({
    ln1: tfl.layers.layerNormalization({ axis: -1 }),
    qkv: tfl.layers.dense({ units: 3 * dim }),
    out: tfl.layers.dense({ units: dim }),
    ln2: tfl.layers.layerNormalization({ axis: -1 }),
    fc1: tfl.layers.dense({ units: 2 * dim, activation: 'gelu' }),
    fc2: tfl.layers.dense({ units: dim }),
  }));
  const [lnFinal, head] = [tfl.layers.layerNormalization({ axis: -1 }), tfl.layers.dense({ units: 10 })];
  const forward: Forward = (input) => {
    const batch = input.shape[0];
    let x = tf.add(tf.reshape(embed.apply(input) as tf.Tensor, [batch, 64, dim]), pos);
    for (const b of blocks) {
      const qkv = tf.transpose(tf.reshape(b.qkv.apply(b.ln1.apply(x)) as tf.Tensor, [batch, 64, 3, heads, dim / heads]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(qkv) as tf.Tensor4D[];
      const attention = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dim / heads)));
      const context = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [batch, 64, dim]);
      x = tf.add(x, b.out.apply(context) as tf.Tensor);
      x = tf.add(x, b.fc2.apply(b.fc1.apply(b.ln2.apply(x))) as tf.Tensor);
    }
    return head.apply(tf.mean(lnFinal.apply(x) as tf.Tensor, 1)) as tf.Tensor;
  };
  tf.tidy(() => forward(tf.zeros([1, 32, 32, 3])));
  const layers = [embed, lnFinal, head, ...blocks.flatMap((b) => Object.values(b))];
  const model = { trainableWeights: layers.flatMap((l) => l.trainableWeights), extra: [pos] };
  return { model: model as unknown as tfl.LayersModel, forward };
}

/** One SGD training step of batch 64 (loss read back). */
function trainStep(build: () => { model: tfl.LayersModel; forward: Forward }) {
  const { model, forward } = build();
  const variables = [...model.trainableWeights.map((w) => w.read() as tf.Variable), ...((model as unknown as { extra?: tf.Variable[] }).extra ?? [])];
  const x = randn([BATCH, 32, 32, 3]);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const optimizer = tf.train.sgd(0.01);
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar, true, variables);
    loss?.dataSync();
    loss?.dispose();
  };
  return {
    step,
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
    },
  };
}

/** Images per second over `steps` steps after one warm-up step. */
function imagesPerSecond(step: () => void, steps: number): number {
  step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (steps * BATCH) / ((performance.now() - start) / 1000);
}

async function trainingTable(name: string, build: () => { model: tfl.LayersModel; forward: Forward }): Promise<void> {
  const configs: { label: string; kernels: string[]; builtInTile?: boolean; steps?: number }[] = [
    { label: 'built-in wasm kernels + Conv2DBackpropFilter', kernels: ['Conv2DBackpropFilter'], builtInTile: true, steps: 1 },
    { label: '+ Conv2DBackpropInput (forward-conv based)', kernels: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'], builtInTile: true, steps: 1 },
    { label: '+ linear-time Tile gradient', kernels: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] },
    { label: '+ Tile/Sum/Mean/Identity/Cast/BatchMatMul/Transpose kernels', kernels: [] },
  ];
  await initBackend('wasm');
  const { step, dispose } = trainStep(build);
  console.log(`\n${name} training step, batch ${BATCH}, wasm`);
  for (const config of configs) {
    registerWasmKernels();
    if (config.kernels.length > 0) {
      restoreWasmKernels(WASM_KERNEL_NAMES.filter((k) => !config.kernels.includes(k)));
    }
    if (config.builtInTile) tf.registerGradient(builtInTileGradient);
    else await initBackend('wasm'); // puts omniprune's Tile gradient back
    const rate = imagesPerSecond(step, config.steps ?? STEPS);
    console.log(`  ${config.label.padEnd(60)} ${rate.toFixed(1).padStart(7)} img/s  (${(BATCH / rate).toFixed(2)} s/step)`);
  }
  registerWasmKernels();
  const times = await profileKernels(step);
  const total = times.reduce((a, t) => a + t.selfMs, 0);
  console.log(`  kernel self time of one step (all kernels on), ${total.toFixed(0)} ms:`);
  for (const t of times.slice(0, 10)) {
    console.log(
      `    ${t.name.padEnd(24)} ${t.selfMs.toFixed(1).padStart(8)} ms ${((100 * t.selfMs) / total).toFixed(1).padStart(5)}%  ${String(t.calls).padStart(5)} calls`,
    );
  }
  dispose();
}

const info = await initBackend('wasm', { threads: opts.threads === undefined ? undefined : Number(opts.threads) });
console.log(describeBackend(info));
if (!opts['skip-layers']) await layerTable();
if (!opts['skip-resnet']) await trainingTable('ResNet-20', resnet20);
if (!opts['skip-vit']) await trainingTable('ViT (dim 64, depth 4)', vit);
if (opts.cpu) {
  await initBackend('cpu');
  const { step, dispose } = trainStep(resnet20);
  console.log(`\nResNet-20 training step on cpu: ${imagesPerSecond(step, 1).toFixed(1)} img/s`);
  dispose();
}
