/**
 * What distillation costs per training epoch: the same student fit on the same images with plain cross-entropy, with
 * distillation from a cached teacher (no augmentation: the teacher's logits are computed once per fit, counted here)
 * with distillation on augmented batches (the teacher runs on every batch) and on augmented batches with the clean
 * images' cached logits as targets (`teacherInput: clean`), each as a ratio to its cross-entropy
 * twin measured in the same process (same augmentation setting). Student: the zoo's ResNet-20, teacher: ResNet-56, both
 * on Fashion-MNIST-shaped input (28x28x1); random images, the ratio does not depend on their values.
 * Options: --images 2048 --epochs 2 --batch 128 --backend native --threads 2
 *   cd packages/core && npx tsx --conditions=omniprune-src bench/distill-cost.ts
 */
import { parseArgs } from 'node:util';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type BackendName, describeBackend } from '../src/backend/index.js';
import type { ImageDataset } from '../src/data/index.js';
import { augmentFromSteps, createSgdTrainer } from '../src/train/index.js';
import { buildZooModel } from '../src/zoo/index.js';
import { initBackend } from '../src/index.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '2048' },
    epochs: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
    backend: { type: 'string', default: 'native' },
    threads: { type: 'string', default: '2' },
  },
});
const count = Number(values.images);
const epochs = Number(values.epochs);
const shape: [number, number, number] = [28, 28, 1];

function randomImages(n: number): ImageDataset {
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return {
    name: 'random',
    shape,
    numClasses: 10,
    count: n,
    images: Float32Array.from({ length: n * 784 }, next),
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
  };
}

const build = (name: string, seed: number): tfl.LayersModel => buildZooModel(name, { inputShape: shape, classes: 10, seed });

/** Seconds of one fit of a fresh ResNet-20 (`epochs` epochs over the data), distilled from `teacher` when given. */
async function fitSeconds(
  train: ImageDataset,
  augment: boolean,
  teacher?: tfl.LayersModel,
  teacherInput: 'augmented' | 'clean' = 'augmented',
): Promise<number> {
  const student = build('resnet20', 1);
  const trainer = createSgdTrainer({
    epochs,
    batchSize: Number(values.batch),
    lr: 0.01,
    seed: 1,
    ...(augment
      ? {
          augment: augmentFromSteps([
            { type: 'pad-crop', pad: 2 },
            { type: 'flip', p: 0.5 },
          ]),
        }
      : {}),
    ...(teacher ? { distill: { teacherInput } } : {}),
  });
  const started = performance.now();
  await trainer.fit(student, train, { teacher });
  const seconds = (performance.now() - started) / 1000;
  student.dispose();
  return seconds;
}

const backend = await initBackend(values.backend as BackendName, { threads: Number(values.threads) });
console.log(describeBackend(backend));
const train = randomImages(count);
const teacher = build('resnet56', 2);
await fitSeconds(randomImages(256), false, teacher); // warm-up: kernels, wasm heap
console.log(`${count} images x ${epochs} epochs, batch ${values.batch}; student ResNet-20, teacher ResNet-56 (28x28x1)`);
const rows = [
  { how: 'no augmentation: teacher cached', augment: false, input: 'augmented' as const },
  { how: 'augmented: teacher on every batch', augment: true, input: 'augmented' as const },
  { how: 'augmented, teacherInput: clean', augment: true, input: 'clean' as const },
];
for (const row of rows) {
  const plain = await fitSeconds(train, row.augment);
  const distilled = await fitSeconds(train, row.augment, teacher, row.input);
  console.log(`${row.how.padEnd(36)} cross-entropy ${plain.toFixed(1)} s, distilled ${distilled.toFixed(1)} s: ${(distilled / plain).toFixed(2)}x`);
}
teacher.dispose();
