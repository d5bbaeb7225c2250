import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './run-cli.js';
import { trainTinyModel, writeTinyIdx } from './pipeline-fixtures.js';

describe('omniprune eval --evaluate', () => {
  it('runs evaluator plugins on a model against a reference and names an unknown one', { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-evaluate-'));
    await writeTinyIdx(join(dir, 'data'));
    const model = join(dir, 'model');
    const train = await trainTinyModel(dir, ['--epochs', '1']);
    expect(train.code, train.stderr).toBe(0);
    const data = ['--data', 'mnist', '--data-path', join(dir, 'data'), '--backend', 'wasm', '--runner', 'tfjs'];
    const r = await runCliCaptured(['eval', model, ...data, '--evaluate', 'ood,corruption', '--reference', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { accuracy: number; evaluations: Record<string, { metrics: Record<string, number> }> };
    expect(Object.keys(out.evaluations)).toEqual(['ood', 'corruption']);
    // the model is its own reference: its corruption errors equal the reference's (mCE 1)
    expect(out.evaluations.corruption.metrics.mCE).toBeCloseTo(1, 9);
    expect(out.evaluations.corruption.metrics.clean).toBeCloseTo(out.accuracy, 9);
    expect(out.evaluations.ood.metrics['auroc:msp']).toBeGreaterThanOrEqual(0);
    const text = await runCliCaptured(['eval', model, ...data, '--evaluate', 'ood']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\n {2}ood: .*AUROC/i);
    const unknown = await runCliCaptured(['eval', model, ...data, '--evaluate', 'robustness']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/robustness[\s\S]*adversarial, corruption, ood, energy, latency/);
  });
});
