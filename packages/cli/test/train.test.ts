import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
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

describe('omniprune train, distilled and from scratch', () => {
  it('distils from a teacher, retrains an architecture from fresh weights, and sizes its epochs by a run', { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-train-kd-'));
    await writeTinyIdx(join(dir, 'data'), 100, 50);
    const base = ['--data', 'mnist', '--data-path', join(dir, 'data'), '--batch-size', '25', '--backend', 'wasm', '--lr', '0.02'];
    expect((await runCliCaptured(['train', '--zoo', 'resnet20', ...base, '--epochs', '1', '--out', join(dir, 'teacher')])).code).toBe(0);
    const kd = await runCliCaptured([
      'train',
      '--from',
      join(dir, 'teacher'),
      ...base,
      '--epochs',
      '1',
      '--distill',
      join(dir, 'teacher'),
      '--alpha',
      '0.7',
      '--out',
      join(dir, 'kd'),
    ]);
    expect(kd.code, kd.stderr).toBe(0);
    const kdReport = JSON.parse(await readFile(join(dir, 'kd', 'train-report.json'), 'utf8'));
    expect(kdReport.distill).toEqual({ teacher: join(dir, 'teacher'), alpha: 0.7, temperature: 4, teacherInput: 'augmented' });

    // a finished run that trained on 250 images (fine-tunes of iterations 1 and 2; iteration 3 was undone) and 100 in recovery
    const stats = { flops: 10, params: 1, accuracy: 0.5, loss: 1 };
    const iteration = (n: number, images: number) => ({ iteration: n, trainedImages: images, stats, candidates: [], chosen: 0, chosenKind: 'layer' });
    const run = {
      baseline: stats,
      iterations: [iteration(1, 150), iteration(2, 100), iteration(3, 1000)],
      final: { iteration: 2, stats },
      recovery: { images: 50, epochs: 2 },
    };
    await mkdir(join(dir, 'run'), { recursive: true });
    await writeFile(join(dir, 'run', 'report.json'), JSON.stringify(run));
    const scratchArgs = ['train', '--from', join(dir, 'kd'), '--reinit', '--images-of', join(dir, 'run'), ...base];
    const scratch = await runCliCaptured([...scratchArgs, '--out', join(dir, 'scratch')]);
    expect(scratch.code, scratch.stderr).toBe(0);
    expect(scratch.stderr).toMatch(/350 training images as .*run: 4 epochs of 100/);
    const [teacher, trained] = await Promise.all(['kd', 'scratch'].map(async (d) => JSON.parse(await readFile(join(dir, d, 'train-report.json'), 'utf8'))));
    expect([trained.flops, trained.params]).toEqual([teacher.flops, teacher.params]);
    expect(trained).toMatchObject({ reinit: true, epochs: 4, imagesOf: { images: 350 } });
    const both = await runCliCaptured([...scratchArgs, '--epochs', '2', '--out', join(dir, 'x')]);
    expect(both.stderr).toMatch(/give --epochs or --images-of, not both/);
    const lone = await runCliCaptured(['train', '--zoo', 'resnet20', ...base, '--alpha', '0.5', '--out', join(dir, 'y')]);
    expect(lone.stderr).toMatch(/--alpha, --temperature and --teacher-input only apply with --distill/);
  });
});
