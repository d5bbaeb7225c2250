import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './run-cli.js';
import { tinyTrainArgs, writeTinyIdx } from './pipeline-fixtures.js';
import { spawnCli, waitFor } from './spawn-cli.js';

describe('omniprune train and eval', () => {
  it('trains a zoo model, saves it with its normalisation, evaluates it and continues training it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-train-'));
    await writeTinyIdx(join(dir, 'data'), 200, 100);
    const out = join(dir, 'model');
    const base = ['--data', 'mnist', '--data-path', join(dir, 'data'), '--batch-size', '25', '--backend', 'wasm'];
    const r = await runCliCaptured(['train', '--zoo', 'resnet20', ...base, '--epochs', '3', '--lr', '0.05', '--out', out]);
    expect(r.stderr).toMatch(/test accuracy \d+\.\d+ % after 3 epochs/);
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'train-report.json'), 'utf8'));
    expect(report.history).toHaveLength(3);
    expect(report.testAccuracy).toBeGreaterThan(0.2); // chance is 0.1; learning itself is tested in core
    const meta = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).userDefinedMetadata.omniprune;
    expect(meta.normalization.mean).toHaveLength(1);
    const ev = await runCliCaptured(['eval', out, '--data', 'mnist', '--data-path', join(dir, 'data'), '--json', '--backend', 'wasm']);
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.stdout).accuracy).toBeCloseTo(report.testAccuracy, 6);
    const more = await runCliCaptured(['train', '--from', out, ...base, '--epochs', '1', '--lr', '0.01', '--out', join(dir, 'more')]);
    expect(more.code).toBe(0);
    const second = JSON.parse(await readFile(join(dir, 'more', 'train-report.json'), 'utf8'));
    expect(second.normalization).toEqual(report.normalization);
    const both = await runCliCaptured(['train', '--from', out, '--zoo', 'resnet20', ...base, '--out', join(dir, 'x')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --zoo NAME and --from MODEL/);
  });
});

describe('omniprune train, interrupted', () => {
  it('resumes after kill -9 from the last finished epoch to the same weights as an uninterrupted training', { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-train-kill-'));
    await writeTinyIdx(join(dir, 'data'), 200, 100);
    const args = [...tinyTrainArgs(dir), '--epochs', '4', '--lr', '0.05', '--seed', '3'];
    const straight = await runCliCaptured([...args, '--out', join(dir, 'straight')]);
    expect(straight.code).toBe(0);
    const out = join(dir, 'killed');
    const child = spawnCli([...args, '--out', out], { stdio: 'ignore' });
    await waitFor(async () => {
      const state = await readFile(join(out, 'checkpoint', 'state.json'), 'utf8').catch(() => null);
      return state !== null && JSON.parse(state).epochsDone >= 1;
    }, 300_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const done = JSON.parse(await readFile(join(out, 'checkpoint', 'state.json'), 'utf8')).epochsDone as number;
    expect(done).toBeLessThan(4);
    const changed = await runCliCaptured([...args.slice(0, -2), '--seed', '4', '--out', out]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/other settings[\s\S]*--restart/);
    const resumed = await runCliCaptured([...args, '--out', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming the training in .* after epoch ${done}/4`));
    expect(await stat(join(out, 'checkpoint')).catch(() => null)).toBeNull();
    const weights = async (d: string) => new Float32Array((await readFile(join(d, 'weights.bin'))).buffer.slice(0));
    expect(Array.from(await weights(out))).toEqual(Array.from(await weights(join(dir, 'straight'))));
    const report = JSON.parse(await readFile(join(out, 'train-report.json'), 'utf8'));
    expect(report.history).toHaveLength(4);
    expect(report.resumedAfterEpoch).toBe(done);
  });
});
