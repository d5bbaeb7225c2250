import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './run-cli.js';
import { writeTinyIdx } from './pipeline-fixtures.js';

describe('omniprune export and eval --runner onnxruntime', () => {
  it('exports a trained model to ONNX; onnxruntime evaluates it like TF.js', { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-export-'));
    await writeTinyIdx(join(dir, 'data'));
    const train = await runCliCaptured(['train', '--zoo', 'resnet20', '--data', 'mnist', '--data-path', join(dir, 'data'), '--epochs', '2', '--batch-size', '25', '--lr', '0.05', '--out', join(dir, 'model'), '--backend', 'wasm']);
    expect(train.code, train.stderr).toBe(0);
    const evals = [];
    for (const runner of ['tfjs', 'onnxruntime']) {
      const r = await runCliCaptured(['eval', join(dir, 'model'), '--data', 'mnist', '--data-path', join(dir, 'data'), '--runner', runner, '--json', '--backend', 'wasm']);
      expect(r.code, r.stderr).toBe(0);
      evals.push(JSON.parse(r.stdout) as { accuracy: number; loss: number; runner: string });
    }
    expect(evals.map((e) => e.runner)).toEqual(['tfjs', 'onnxruntime']);
    expect(evals[1].accuracy).toBe(evals[0].accuracy);
    expect(evals[1].loss).toBeCloseTo(evals[0].loss, 4);
    const out = join(dir, 'model.onnx');
    const exported = await runCliCaptured(['export', join(dir, 'model'), '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/input "input" \[batch, 10, 10, 1\], outputs out:probs/);
    expect((await stat(out)).size).toBeGreaterThan(100_000);
    const bad = await runCliCaptured(['export', join(dir, 'model'), '--format', 'tflite', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown export format "tflite"/);
  });
});
