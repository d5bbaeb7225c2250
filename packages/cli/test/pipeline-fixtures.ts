import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCliCaptured } from './run-cli.js';

function idx(dims: number[], values: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  view.setUint8(2, 0x08);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(Uint8Array.from(values), header.length);
  return out;
}

/** Write a small learnable MNIST-format dataset (10x10 images; class k lights row k) into `dir`. */
export async function writeTinyIdx(dir: string, train = 100, test = 50): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [prefix, count] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    const pixels = new Uint8Array(count * 100);
    const labels = new Uint8Array(count);
    for (let n = 0; n < count; n++) {
      const k = n % 10;
      labels[n] = k;
      for (let p = 0; p < 100; p++) pixels[n * 100 + p] = (Math.floor(p / 10) === k ? 200 : 0) + ((n * 31 + p * 7) % 50);
    }
    await writeFile(join(dir, `${prefix}-images-idx3-ubyte`), idx([count, 10, 10], pixels));
    await writeFile(join(dir, `${prefix}-labels-idx1-ubyte`), idx([count], labels));
  }
}

/**
 * The command line of `omniprune train` for a zoo ResNet-20 on the tiny dataset in `dir/data` (wasm backend, batch
 * 25), without `--out` and the epochs: tests add those.
 * @example
 * spawnCli([...tinyTrainArgs(dir), '--epochs', '3', '--out', join(dir, 'model')]);
 */
export function tinyTrainArgs(dir: string): string[] {
  return ['train', '--zoo', 'resnet20', '--data', 'mnist', '--data-path', join(dir, 'data'), '--batch-size', '25', '--backend', 'wasm'];
}

/**
 * `omniprune train` of {@link tinyTrainArgs} into `dir/model`, in process; `extra` adds flags (e.g. `--epochs 2 --lr
 * 0.05`). Returns the CLI result.
 * @example
 * const r = await trainTinyModel(dir, ['--epochs', '1']); expect(r.code).toBe(0);
 */
export function trainTinyModel(dir: string, extra: readonly string[]): ReturnType<typeof runCliCaptured> {
  return runCliCaptured([...tinyTrainArgs(dir), '--out', join(dir, 'model'), ...extra]);
}

/** A small pipeline over the tiny dataset (ResNet-20 trained briefly from scratch, layer + filter pruners). */
export function tinyPipeline(_dir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny-cli',
    seed: 5,
    backend: 'wasm',
    model: { zoo: 'resnet20', train: { epochs: 2, batchSize: 25, lr: 0.05 } },
    data: { dataset: { name: 'mnist', path: 'data' } },
    pruners: [
      { use: 'layer', with: { criterion: 'block-kl', criterionOptions: { samplesPerClass: 3 } } },
      { use: 'filter', with: { criterion: 'l1' } },
    ],
    similarity: { use: 'linear-cka' },
    finetune: { candidate: { epochs: 1, batchSize: 25, lr: 0.01 }, winner: { epochs: 1, batchSize: 25, lr: 0.01 } },
    stop: { maxIterations: 3 },
    output: 'run',
    ...overrides,
  };
}

/** Make a temp dir with the tiny dataset in `data/` and a pipeline file; returns its path and the dir. */
export async function writeTinyPipeline(overrides: Record<string, unknown> = {}, text?: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-cli-'));
  await writeTinyIdx(join(dir, 'data'));
  const file = join(dir, 'pipeline.yaml');
  await writeFile(file, text ?? stringify(tinyPipeline(dir, overrides)));
  return { dir, file };
}

/**
 * A tiny bench in a temp dir: the tiny pipeline without fine-tunes, 2 iterations, its base ResNet-20 trained 1 epoch;
 * 2 metrics x 2 seeds, 2 workers, output `bench/`, unless `extra` says otherwise.
 */
export async function writeTinyBench(extra: Record<string, unknown> = {}): Promise<{ dir: string; bench: string }> {
  const { dir } = await writeTinyPipeline({
    finetune: {},
    stop: { maxIterations: 2 },
    model: { zoo: 'resnet20', train: { epochs: 1, batchSize: 25, lr: 0.05 } },
  });
  const bench = join(dir, 'bench.yaml');
  await writeFile(
    bench,
    stringify({
      name: 'tiny-bench',
      pipeline: 'pipeline.yaml',
      metrics: ['linear-cka', { use: 'output-agreement', layer: 'logits' }],
      seeds: [1, 2],
      set: { 'data.dataset.trainSubset': 80 },
      workers: 2,
      output: 'bench',
      ...extra,
    }),
  );
  return { dir, bench };
}
