/**
 * `pnpm bench` (onnx): the PyTorch user's round trip on a real-size network, timed step by step: read + import an
 * ONNX file, build the dependency graph, prune (remove the first removable block and a quarter of the channels of
 * every prunable group), export with the original interface; each step's time beside onnxruntime's own session
 * creation for the same file (the reference, same process). Also the FLOPs `countCost` reports before and after and
 * the largest difference between the exported pruned ONNX (onnxruntime) and the pruned TF.js model.
 * Default input: torchvision ResNet-18 with a 1-channel stem at 28x28, made by examples/pytorch/export_resnet18.py
 * (45 MB, not committed; the bench says how to make it when it is missing).
 * Options: --model FILE.onnx --backend native|wasm|cpu
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { applyPlans, buildDependencyGraph } from '@omniprune/core/graph';
import { countCost } from '@omniprune/core/metrics';
import { describeBackend, type BackendName } from '@omniprune/core/backend';
import { initBackend } from '@omniprune/core';
import { pluginContext } from '@omniprune/core/plugin';
import type { PrunePlan } from '@omniprune/plugin-api';
import { importOnnx } from '../src/import/import-onnx.js';
import { onnxFormat } from '../src/onnx-format.js';
import { loadOnnxRuntime } from '../src/load-onnxruntime.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({
  options: { model: { type: 'string', default: join(ROOT, 'examples/pytorch/resnet18-1ch-28.onnx') }, backend: { type: 'string', default: 'native' } },
});
const file = resolve(values.model);
if (!(await stat(file).catch(() => null))) {
  process.stdout.write(`onnx bench skipped: ${file} is missing; make it with /usr/bin/python3 examples/pytorch/export_resnet18.py\n`);
  process.exit(0);
}
const ort = await loadOnnxRuntime();
if (ort instanceof Error) {
  process.stdout.write(`onnx bench skipped: ${ort.message}\n`);
  process.exit(0);
}
process.stdout.write(`${describeBackend(await initBackend(values.backend as BackendName))}\n`);

async function timed<T>(run: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const value = await run();
  return [value, performance.now() - start];
}

const [session, ortMs] = await timed(() => ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' }));
await session.release();
const format = await onnxFormat.create({}, pluginContext({ log: () => {}, seed: 0 }));
const [loaded, importMs] = await timed(async () => importOnnx(new Uint8Array(await readFile(file)), file));
const model = loaded.model;
const [graph, graphMs] = await timed(() => buildDependencyGraph(model));
const block = graph.blocks.filter((b) => !b.unremovableReason).at(-1);
const inBlock = new Set(block?.branch ?? []);
const plans: PrunePlan[] = [
  ...(block ? [{ kind: 'remove-block' as const, block: block.id }] : []),
  ...graph.groups
    .filter((g) => !g.frozenReason && g.size >= 4 && !g.producers.some((p) => inBlock.has(p)))
    .map((g) => ({ kind: 'remove-channels' as const, group: g.id, indices: Array.from({ length: Math.floor(g.size / 4) }, (_, i) => i) })),
];
const [pruned, pruneMs] = await timed(() => applyPlans(model, plans));
const out = join(tmpdir(), `omniprune-bench-${process.pid}.onnx`);
const [, exportMs] = await timed(() => format.write!(pruned, out, loaded.origin));

const [h, w, c] = model.inputs[0].shape.slice(1) as number[];
const batch = 4;
const x = tf.randomNormal([batch, h, w, c], 0, 1, 'float32', 1);
const expected = (pruned.predict(x) as tf.Tensor).dataSync() as Float32Array;
const nchw = tf.transpose(x, [0, 3, 1, 2]);
const check = await ort.InferenceSession.create(out);
const got = (await check.run({ [check.inputNames[0]]: new ort.Tensor('float32', nchw.dataSync() as Float32Array, [batch, c, h, w]) }))[check.outputNames[0]]
  .data as Float32Array;
await check.release();
const maxDiff = expected.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0);
await rm(out, { force: true });

const before = countCost(model);
const after = countCost(pruned);
const row = (name: string, ms: number) => `  ${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${(ms / ortMs).toFixed(2)}x onnxruntime session creation`;
process.stdout.write(
  [
    `${file} (${((await stat(file)).size / 1e6).toFixed(1)} MB): ${graph.groups.filter((g) => !g.frozenReason).length} prunable groups, ${graph.blocks.filter((b) => !b.unremovableReason).length} removable blocks`,
    row('onnxruntime InferenceSession.create', ortMs),
    row('read + import (importOnnx)', importMs),
    row('dependency graph', graphMs),
    row(`prune (${plans.length} plans)`, pruneMs),
    row('export with the original interface', exportMs),
    `  FLOPs (MACs) ${(before.flops / 1e6).toFixed(2)} M -> ${(after.flops / 1e6).toFixed(2)} M, params ${(before.params / 1e6).toFixed(3)} M -> ${(after.params / 1e6).toFixed(3)} M`,
    `  exported pruned ONNX vs pruned TF.js model: max |diff| ${maxDiff.toExponential(2)} on ${batch} random images`,
  ].join('\n') + '\n',
);
