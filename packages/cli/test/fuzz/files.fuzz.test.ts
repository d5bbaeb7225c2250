import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from '@omniprune/core/zoo';
import { initBackend, readModel, saveModel } from '@omniprune/core';
import { loadDataset } from '@omniprune/core/data';
import { exportOnnx } from '@omniprune/onnx';
import { builtinContainer } from '../../src/shared/plugin-registry.js';
import { writeTinyIdx } from '../pipeline-fixtures.js';
import { applyEdits, applyJsonEdits, byteEdits, FUZZ_RUNS, isUserFacing, jsonEdits } from './fuzz-settings.js';

const container = builtinContainer();
let dir: string;
let modelJson: unknown;
let weights: Uint8Array;
let onnx: Uint8Array;
let idxImages: Uint8Array;
let idxLabels: Uint8Array;
let cifar: Uint8Array;

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'omniprune-fuzz-'));
  const model = buildZooModel('resnet20', { inputShape: [8, 8, 1], classes: 3, seed: 1 });
  await saveModel(model, join(dir, 'base'));
  onnx = exportOnnx(model).bytes;
  model.dispose();
  modelJson = JSON.parse(await readFile(join(dir, 'base', 'model.json'), 'utf8'));
  weights = await readFile(join(dir, 'base', 'weights.bin'));
  await writeTinyIdx(join(dir, 'idx'), 20, 10);
  idxImages = await readFile(join(dir, 'idx', 'train-images-idx3-ubyte'));
  idxLabels = await readFile(join(dir, 'idx', 'train-labels-idx1-ubyte'));
  cifar = new Uint8Array(4 * 3073).map((_, i) => (i % 3073 === 0 ? i % 10 : (i * 7) % 256));
});

let n = 0;
/** A fresh folder per case. */
async function caseDir(): Promise<string> {
  const d = join(dir, `case-${n++}`);
  await mkdir(d, { recursive: true });
  return d;
}

/** Run `load`: fine, or an omniprune error; a raw error fails with its stack. */
async function expectHandled(load: () => Promise<unknown>): Promise<void> {
  const err = await load().then(
    (loaded) => {
      (loaded as { model?: { dispose(): void } }).model?.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (err !== undefined && !isUserFacing(err)) expect.fail(`not an omniprune error: ${(err as Error)?.stack ?? String(err)}`);
}

describe(`fuzz: model and data files (${FUZZ_RUNS} cases per property)`, () => {
  it('mutated model.json topologies and weight manifests load or give an omniprune error', async () => {
    await fc.assert(
      fc.asyncProperty(jsonEdits, async (edits) => {
        const d = await caseDir();
        await writeFile(join(d, 'model.json'), JSON.stringify(applyJsonEdits(modelJson, edits)) ?? '');
        await writeFile(join(d, 'weights.bin'), weights);
        await expectHandled(() => readModel(join(d, 'model.json'), container));
      }),
    );
  });

  it('corrupted weight files load or give an omniprune error', async () => {
    await fc.assert(
      fc.asyncProperty(byteEdits, async (edits) => {
        const d = await caseDir();
        await writeFile(join(d, 'model.json'), JSON.stringify(modelJson));
        await writeFile(join(d, 'weights.bin'), applyEdits(weights, edits));
        await expectHandled(() => readModel(join(d, 'model.json'), container));
      }),
    );
  });

  it('corrupted ONNX files import or give an omniprune error', async () => {
    await fc.assert(
      fc.asyncProperty(byteEdits, async (edits) => {
        const d = await caseDir();
        await writeFile(join(d, 'model.onnx'), applyEdits(onnx, edits));
        await expectHandled(() => readModel(join(d, 'model.onnx'), container));
      }),
    );
  });

  it('corrupted IDX and CIFAR files load or give an omniprune error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('images', 'labels', 'cifar'), byteEdits, async (which, edits) => {
        const d = await caseDir();
        if (which === 'cifar') {
          const folder = join(d, 'cifar-10-batches-bin');
          await mkdir(folder);
          for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'])
            await writeFile(join(folder, f), cifar);
          await writeFile(join(folder, 'test_batch.bin'), applyEdits(cifar, edits));
          await expectHandled(() => loadDataset({ name: 'cifar10', path: folder }));
          return;
        }
        await writeTinyIdx(d, 20, 10);
        const file = which === 'images' ? 'train-images-idx3-ubyte' : 'train-labels-idx1-ubyte';
        await writeFile(join(d, file), applyEdits(which === 'images' ? idxImages : idxLabels, edits));
        await expectHandled(() => loadDataset({ name: 'mnist', path: d }));
      }),
    );
  });
});
