import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadIdxDataset } from '@omniprune/core/data';
import type { RunReport } from '@omniprune/core';
import { loadOnnxRuntime } from '@omniprune/onnx';
import { runCliCaptured } from './run-cli.js';
import { tinyPipeline, writeTinyIdx } from './pipeline-fixtures.js';
import { ROOT } from './spawn-cli.js';

const FIXTURES = join(ROOT, 'packages/onnx/test/fixtures');

/** Accuracy of an ONNX file on the tiny test split, fed as PyTorch code feeds it: NCHW under the graph's own input name. */
async function onnxAccuracy(
  file: string,
  dataDir: string,
  norm: { mean: number[]; std: number[] },
): Promise<{ accuracy: number; input: string; dims: unknown }> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) throw ort;
  const session = await ort.InferenceSession.create(file);
  const test = (await loadIdxDataset({ name: 'mnist', dir: dataDir })).test;
  const x = Float32Array.from(test.images, (v) => (v - norm.mean[0]) / norm.std[0]); // one channel: NHWC == NCHW
  const input = session.inputNames[0];
  const out = await session.run({ [input]: new ort.Tensor('float32', x, [test.count, 1, 10, 10]) });
  const scores = out[session.outputNames[0]].data as Float32Array;
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    const row = scores.subarray(i * 10, (i + 1) * 10);
    if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
  }
  const meta = (session as unknown as { inputMetadata?: { shape?: unknown }[] }).inputMetadata;
  await session.release();
  return { accuracy: correct / test.count, input, dims: meta?.[0]?.shape };
}

describe('bring your own model: PyTorch (ONNX) in, ONNX out', () => {
  it('prunes a torch.onnx.export ResNet and writes final/model.onnx that onnxruntime runs with the original interface', { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-byo-onnx-'));
    await writeTinyIdx(join(dir, 'data'), 200, 60);
    await copyFile(join(FIXTURES, 'resnet_basic_gray10_bn_op13.onnx'), join(dir, 'resnet.onnx'));
    const pipeline = tinyPipeline(dir, {
      model: { path: 'resnet.onnx' },
      pruners: [
        { use: 'layer', with: { criterion: 'block-kl', criterionOptions: { samplesPerClass: 3 } } },
        { use: 'filter', with: { criterion: 'l1', roundTo: 1 } }, // widths 8-16: multiples of 8 leave little to prune
      ],
      finetune: { winner: { epochs: 2, batchSize: 25, lr: 0.02 } },
      stop: { maxIterations: 2 },
    });
    await writeFile(join(dir, 'pipeline.yaml'), stringify(pipeline));
    const r = await runCliCaptured(['run', join(dir, 'pipeline.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/model: onnx model, output "fc" \(Dense, linear\) gives logits/);
    expect(r.stdout).toMatch(/final\/model\.json, final\/model\.onnx/);
    const report = JSON.parse(await readFile(join(dir, 'run', 'report.json'), 'utf8')) as RunReport;
    expect(report.model?.format).toBe('onnx');
    expect(report.final?.files).toEqual(['final/model.json', 'final/model.onnx']);
    expect(report.iterations.length).toBe(2);
    const norm = JSON.parse(await readFile(join(dir, 'run', 'final', 'model.json'), 'utf8')).userDefinedMetadata.omniprune.normalization;
    const pruned = await onnxAccuracy(join(dir, 'run', 'final', 'model.onnx'), join(dir, 'data'), norm);
    expect(pruned.input).toBe('image');
    if (pruned.dims) expect(pruned.dims).toEqual(['batch', 1, 10, 10]);
    expect(pruned.accuracy).toBeCloseTo(report.final!.stats.accuracy, 6);
    // the pruned ONNX comes back in through the importer with the same accuracy
    const ev = await runCliCaptured([
      'eval',
      join(dir, 'run', 'final', 'model.onnx'),
      '--data',
      'mnist',
      '--data-path',
      join(dir, 'data'),
      '--normalize',
      `${norm.mean[0]}/${norm.std[0]}`,
      '--json',
      '--runner',
      'tfjs',
      '--backend',
      'wasm',
    ]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout).accuracy).toBeCloseTo(report.final!.stats.accuracy, 6);
    const inspect = await runCliCaptured(['inspect', join(dir, 'run', 'final', 'model.onnx'), '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout).flops).toBe(report.final!.stats.flops);
  });

  it('distils the fine-tunes of a PyTorch export and writes the recovered model back as ONNX', { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-byo-onnx-kd-'));
    await writeTinyIdx(join(dir, 'data'), 200, 60);
    await copyFile(join(FIXTURES, 'resnet_basic_gray10_bn_op13.onnx'), join(dir, 'resnet.onnx'));
    const pipeline = tinyPipeline(dir, {
      model: { path: 'resnet.onnx' },
      pruners: [{ use: 'filter', with: { criterion: 'l1', roundTo: 1 } }],
      finetune: {
        winner: { epochs: 1, batchSize: 25, lr: 0.02, distill: { teacher: 'parent', alpha: 0.5 } },
        final: { epochs: 2, batchSize: 25, lr: 0.02, distill: { teacher: 'base' } },
      },
      stop: { maxIterations: 1 },
    });
    await writeFile(join(dir, 'pipeline.yaml'), stringify(pipeline));
    const r = await runCliCaptured(['run', join(dir, 'pipeline.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'run', 'report.json'), 'utf8')) as RunReport;
    expect(report.recovery).toMatchObject({ epochs: 2, images: 200, distill: { teacher: 'base' } });
    expect(report.final?.files).toEqual(['final/model.json', 'final/model.onnx']);
    const norm = JSON.parse(await readFile(join(dir, 'run', 'final', 'model.json'), 'utf8')).userDefinedMetadata.omniprune.normalization;
    const written = await onnxAccuracy(join(dir, 'run', 'final', 'model.onnx'), join(dir, 'data'), norm);
    expect(written.input).toBe('image');
    expect(written.accuracy).toBeCloseTo(report.recovery!.after.accuracy, 6);
    // final/ holds the recovered weights, not the last iteration's
    const [final, unrecovered] = await Promise.all(['final', 'iterations/001'].map((d) => readFile(join(dir, 'run', d, 'weights.bin'))));
    expect(final.equals(unrecovered)).toBe(false);
  });

  it('exports an ONNX-origin model with its interface, and any model as NCHW on request', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-byo-export-'));
    const src = join(FIXTURES, 'resnet_basic_gray10_bn_op13.onnx');
    const same = await runCliCaptured(['export', src, '--out', join(dir, 'same.onnx')]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/input "image" \[batch, 1, 10, 10\] \(NCHW\), outputs logits/);
    const nhwc = await runCliCaptured(['export', src, '--layout', 'nhwc', '--input-name', 'pixels', '--out', join(dir, 'nhwc.onnx')]);
    expect(nhwc.code, nhwc.stderr).toBe(0);
    expect(nhwc.stdout).toMatch(/input "pixels" \[batch, 10, 10, 1\] \(NHWC\)/);
    const bad = await runCliCaptured(['export', src, '--layout', 'chwn', '--out', join(dir, 'x.onnx')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--layout must be nchw or nhwc/);
  });
});

describe('bring your own model: bad input', () => {
  it('names what is wrong with exit code 2', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-byo-bad-'));
    const bytes = await readFile(join(FIXTURES, 'resnet_basic_gray10_bn_op13.onnx'));
    await writeFile(join(dir, 'truncated.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await writeFile(join(dir, 'weights.pt'), 'not a model');
    const cases: [string, RegExp][] = [
      [join(dir, 'truncated.onnx'), /truncated\.onnx/],
      [join(FIXTURES, 'bad_unsupported_op.onnx'), /LpNormalization[\s\S]*hint/],
      [join(FIXTURES, 'bad_non_image.onnx'), /image/i],
      [join(dir, 'weights.pt'), /torch\.onnx\.export/],
      [join(dir, 'missing.onnx'), /no model at/],
      [join(ROOT, 'packages/keras/test/fixtures/keras/weights-only.h5'), /weights only \(model\.save_weights\)/],
      [join(dir, 'weights.pt').replace('.pt', '.keras'), /no model at/],
    ];
    for (const [file, message] of cases) {
      const r = await runCliCaptured(['inspect', file]);
      expect(r.code, `${file}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/TypeError|at .*\.ts:\d+/);
    }
  });
});

describe('bring your own model: Keras Sequential', () => {
  it('inspects, prunes and writes back a tf.sequential() CNN saved as tensorflowjs_converter writes it', { timeout: 600_000 }, async () => {
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-byo-keras-'));
    await writeTinyIdx(join(dir, 'data'), 200, 60);
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [10, 10, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const weights = tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer);
        await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(weights));
        await writeFile(
          join(dir, 'model.json'),
          JSON.stringify({
            format: 'layers-model',
            generatedBy: 'keras v2.15.0',
            convertedBy: 'TensorFlow.js Converter v4.22.0',
            modelTopology: a.modelTopology,
            weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
          }),
        );
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const inspect = await runCliCaptured(['inspect', join(dir, 'model.json'), '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const summary = JSON.parse(inspect.stdout);
    expect(summary.groups.map((g: { id: string }) => g.id)).toHaveLength(2);
    expect(summary.classifier.output).toBe('probabilities');
    expect(summary.notes.join('\n')).toMatch(/softmax/);

    const pipeline = tinyPipeline(dir, {
      model: { path: 'model.json' },
      pruners: [{ use: 'filter', with: { criterion: 'l1' } }],
      finetune: { winner: { epochs: 1, batchSize: 25, lr: 0.01 } },
      stop: { maxIterations: 1 },
    });
    await writeFile(join(dir, 'pipeline.yaml'), stringify(pipeline));
    const r = await runCliCaptured(['run', join(dir, 'pipeline.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const final = JSON.parse(await readFile(join(dir, 'run', 'final', 'model.json'), 'utf8'));
    const weights = await readFile(join(dir, 'run', 'final', 'weights.bin'));
    const plain = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: final.modelTopology,
        weightSpecs: final.weightsManifest[0].weights,
        weightData: new Uint8Array(weights).buffer,
      }),
    );
    expect(plain.outputs[0].shape).toEqual([null, 10]);
    expect(plain.layers.map((l) => l.name)).toEqual(expect.arrayContaining(model.layers.map((l) => l.name)));
    plain.dispose();
  });
});
