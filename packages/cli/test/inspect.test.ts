import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildZooModel } from '@omniprune/core/zoo';
import { saveModel } from '@omniprune/core';
import { runCliCaptured } from './run-cli.js';
import { ROOT } from './spawn-cli.js';

describe('omniprune inspect', () => {
  it('reports the reference FLOPs of ResNet-56 and its blocks as JSON', async () => {
    const r = await runCliCaptured(['inspect', '--zoo', 'resnet56', '--input-shape', '32,32,3', '--classes', '10', '--json', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Math.abs(out.flops - 125.75e6) / 125.75e6).toBeLessThan(0.01);
    expect(out.params).toBeGreaterThan(0.85e6);
    expect(out.blocks).toBe(27);
    expect(out.removableBlocks).toHaveLength(25);
    expect(out.stages.map((s: { width: number; blocks: number }) => [s.width, s.blocks])).toEqual([
      [16, 9],
      [32, 9],
      [64, 9],
    ]);
  });

  it('prints the stages of a pruned model: widths, blocks left and inner widths', async () => {
    const r = await runCliCaptured(['inspect', join(ROOT, 'examples/models/resnet56-fashion-mnist-pruned-recovered'), '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stage 1 \(stem_conv\): 16 channels, 2 blocks, inner widths 6 9\n/);
    expect(r.stdout).toMatch(/stage 3 \(s3_b0_proj_conv\): 64 channels, 2 blocks, inner widths 48 49\n/);
  });

  it('reads a saved model.json and prints a per-layer table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-inspect-'));
    const model = buildZooModel('resnet20', { inputShape: [28, 28, 1], classes: 10 });
    await saveModel(model, join(dir, 'm'));
    const r = await runCliCaptured(['inspect', join(dir, 'm', 'model.json'), '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/s1_b0_conv1\s+Conv2D\s+28x28x16/);
    expect(r.stdout).toMatch(/FLOPs \(MACs\): \d+\.\d+ M/);
    expect(r.stdout).toMatch(/residual blocks: 9 \(7 removable\)/);
  });

  it('fails with exit code 2 and a clear message on bad input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-inspect-'));
    const missing = await runCliCaptured(['inspect', join(dir, 'nope.json'), '--backend', 'cpu']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no model at .*nope\.json/);
    await writeFile(join(dir, 'bad.json'), '{"modelTopology": ');
    const corrupt = await runCliCaptured(['inspect', join(dir, 'bad.json'), '--backend', 'cpu']);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(/bad\.json is not valid JSON/);
    const zoo = await runCliCaptured(['inspect', '--zoo', 'resnet57', '--backend', 'cpu']);
    expect(zoo.code).toBe(2);
    expect(zoo.stderr).toMatch(/resnet57[\s\S]*resnet56/);
    const shape = await runCliCaptured(['inspect', '--zoo', 'resnet20', '--input-shape', '32,x', '--backend', 'cpu']);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/--input-shape must be positive integers/);
    const missingArg = await runCliCaptured(['train', '--zoo', 'resnet20']);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toMatch(/Missing required argument: --data/);
    const unknown = await runCliCaptured(['prune-everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "prune-everything" for omniprune/);
  });

  it('prints help for every command', async () => {
    for (const argv of [
      ['--help'],
      ['inspect', '--help'],
      ['train', '--help'],
      ['run', '--help'],
      ['validate', '--help'],
      ['eval', '--help'],
      ['plugins', '--help'],
      ['plugins', 'list', '--help'],
    ]) {
      const r = await runCliCaptured(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/USAGE/);
    }
  });
});
