import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '@omniprune/core';
import { readFile } from 'node:fs/promises';
import { runCliCaptured } from './run-cli.js';
import { trainTinyModel, writeTinyIdx, writeTinyPipeline } from './pipeline-fixtures.js';

describe('omniprune export and eval --runner onnxruntime', () => {
  it('exports a trained model to ONNX; onnxruntime evaluates it like TF.js', { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-export-'));
    await writeTinyIdx(join(dir, 'data'));
    const train = await trainTinyModel(dir, ['--epochs', '2', '--lr', '0.05']);
    expect(train.code, train.stderr).toBe(0);
    const evals = [];
    for (const runner of ['tfjs', 'onnxruntime', 'auto']) {
      const r = await runCliCaptured([
        'eval',
        join(dir, 'model'),
        '--data',
        'mnist',
        '--data-path',
        join(dir, 'data'),
        '--runner',
        runner,
        '--json',
        '--backend',
        'wasm',
      ]);
      expect(r.code, r.stderr).toBe(0);
      evals.push(JSON.parse(r.stdout) as { accuracy: number; loss: number; runner: string });
    }
    expect(evals.map((e) => e.runner)).toEqual(['tfjs', 'onnxruntime', 'onnxruntime']); // auto: onnxruntime loads here
    const badRunner = await runCliCaptured(['eval', join(dir, 'model'), '--data', 'mnist', '--data-path', join(dir, 'data'), '--runner', 'torch']);
    expect(badRunner.code).toBe(2);
    expect(badRunner.stderr).toMatch(/unknown runner "torch"[\s\S]*tfjs, onnxruntime, auto/);
    expect(evals[1].accuracy).toBe(evals[0].accuracy);
    expect(evals[1].loss).toBeCloseTo(evals[0].loss, 4);
    const out = join(dir, 'model.onnx');
    const exported = await runCliCaptured(['export', join(dir, 'model'), '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/input "input" \[batch, 10, 10, 1\] \(NHWC\), outputs out:probs; batch norms folded/);
    // NCHW exports (the importer reads PyTorch-style graphs), folded and not
    const folded = await runCliCaptured(['export', join(dir, 'model'), '--out', join(dir, 'folded.onnx'), '--layout', 'nchw']);
    expect(folded.stdout).toMatch(/; batch norms folded/);
    const kept = await runCliCaptured(['export', join(dir, 'model'), '--out', join(dir, 'kept.onnx'), '--layout', 'nchw', '--keep-batch-norm']);
    expect(kept.stdout).toMatch(/; batch norms kept/);
    // both files import back and predict alike (read the same way, without the model's normalisation)
    const evalOf = async (file: string) => {
      const r = await runCliCaptured(['eval', file, '--data', 'mnist', '--data-path', join(dir, 'data'), '--json', '--backend', 'wasm', '--runner', 'tfjs']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { accuracy: number; loss: number };
    };
    const [foldedEval, keptEval] = [await evalOf(join(dir, 'folded.onnx')), await evalOf(join(dir, 'kept.onnx'))];
    expect(foldedEval.accuracy).toBe(keptEval.accuracy);
    expect(foldedEval.loss).toBeCloseTo(keptEval.loss, 4);
    expect((await stat(out)).size).toBeGreaterThan(100_000);
    const bad = await runCliCaptured(['export', join(dir, 'model'), '--format', 'tflite', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown export format "tflite"/);
  });

  it('a pipeline run with the onnxruntime runner chooses the same candidates as with the TF.js runner', { timeout: 600_000 }, async () => {
    const { dir, file } = await writeTinyPipeline({ stop: { maxIterations: 3 } });
    const reports: RunReport[] = [];
    for (const runner of ['tfjs', 'onnxruntime']) {
      const r = await runCliCaptured(['run', file, '--out', join(dir, runner), '--runner', runner]);
      expect(r.code, r.stderr).toBe(0);
      if (runner === 'onnxruntime') expect(r.stderr).toMatch(/runner: onnxruntime/);
      reports.push(JSON.parse(await readFile(join(dir, runner, 'report.json'), 'utf8')) as RunReport);
    }
    const [tfjs, ort] = reports;
    expect(ort.iterations.map((i) => [i.chosenKind, i.candidates[i.chosen].plans])).toEqual(
      tfjs.iterations.map((i) => [i.chosenKind, i.candidates[i.chosen].plans]),
    );
    ort.iterations.forEach((it, n) => {
      expect(it.stats.accuracy).toBeCloseTo(tfjs.iterations[n].stats.accuracy, 6);
      it.candidates.forEach((c, k) => expect(c.similarity).toBeCloseTo(tfjs.iterations[n].candidates[k].similarity, 4));
    });
  });
});
