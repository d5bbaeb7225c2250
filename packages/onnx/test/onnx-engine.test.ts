import type * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationsOf, testPluginContext } from '@omniprune/core';
import { applyPlans, buildDependencyGraph, type DependencyGraph } from '@omniprune/core/graph';
import { countCost } from '@omniprune/core/metrics';
import type { ModelFormat, PrunePlan } from '@omniprune/plugin-api';
import { expectClose, randomImages, useCpu } from '@omniprune/core/testing';
import { importOnnx, onnxFormat } from '../src/index.js';
import { fixtureBytes, runOrt, runTfjs } from './onnx-helpers.js';

const format: ModelFormat = onnxFormat.create({}, testPluginContext({ seed: 0 })) as ModelFormat;
let dir: string;

beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'omniprune-onnx-engine-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const prunable = (g: DependencyGraph) =>
  g.groups
    .filter((x) => !x.frozenReason)
    .map((x) => x.id)
    .sort();
const blocks = (g: DependencyGraph) => g.blocks.map((b) => [b.id, b.unremovableReason === undefined]);

/** Write `model` with its ONNX origin's interface and check onnxruntime on the file equals TF.js. */
async function expectExportEqualsTfjs(model: tfl.LayersModel, name: string): Promise<void> {
  const origin = annotationsOf(model).origin!;
  expect(origin.format).toBe('onnx');
  const file = join(dir, `${name}.onnx`);
  await format.write!(model, file, origin);
  const [, c, h, w] = origin.input!.dims as number[];
  for (const n of [1, 3]) {
    const x = randomImages([n, c, h, w], 40 + n);
    const ort = await runOrt(file, origin.input!.name, x, [n, c, h, w]);
    expect(ort.inputShape).toEqual(['batch', c, h, w]);
    expectClose(ort.data, runTfjs(model, x, [n, c, h, w]), 1e-4);
  }
}

/** Import, check the graph, apply plans, check the pruned model is smaller and exports faithfully. */
async function pruneAndExport(name: string, plans: PrunePlan[], check: (g: DependencyGraph) => void): Promise<void> {
  const { model } = await importOnnx(await fixtureBytes(name), `${name}.onnx`);
  const graph = buildDependencyGraph(model);
  expect(graph.warnings).toEqual([]);
  check(graph);
  const pruned = await applyPlans(model, plans);
  expect(countCost(pruned).flops).toBeLessThan(countCost(model).flops);
  await expectExportEqualsTfjs(pruned, `${name}-pruned`);
  model.dispose();
  pruned.dispose();
}

describe('the pruning engine on imported PyTorch graphs', () => {
  it.each(['resnet_basic_bn_op13', 'resnet_basic_folded_op11'])('ResNet BasicBlocks (%s): identity blocks removable, downsample block not', async (name) => {
    await pruneAndExport(
      name,
      [
        { kind: 'remove-block', block: 'layer1.1' },
        { kind: 'remove-channels', group: 'layer1.0.conv1', indices: [1, 4] },
        { kind: 'remove-channels', group: 'conv1', indices: [2] },
        { kind: 'remove-channels', group: 'layer2.0.conv1', indices: [0, 7, 9] },
      ],
      (g) => {
        expect(blocks(g)).toEqual([
          ['layer1.0', true],
          ['layer1.1', true],
          ['layer2.0', false],
        ]);
        expect(g.blocks[2].unremovableReason).toMatch(/projection shortcut/);
        expect(prunable(g)).toEqual(['conv1', 'layer1.0.conv1', 'layer1.1.conv1', 'layer2.0.conv1', 'layer2.0.conv2'].sort());
        expect(g.groups.find((x) => x.id === 'conv1')!.residual).toBe(true);
      },
    );
  });

  it.each(['resnet_bottleneck_bn_op11', 'resnet_bottleneck_folded_op13'])('Bottleneck blocks (%s)', async (name) => {
    await pruneAndExport(
      name,
      [
        { kind: 'remove-channels', group: 'layer1.1.conv1', indices: [2, 5] },
        { kind: 'remove-block', block: 'layer1.0' },
        { kind: 'remove-channels', group: 'stem.0', indices: [0, 15] },
      ],
      (g) => {
        expect(blocks(g)).toEqual([
          ['layer1.0', true],
          ['layer1.1', false],
        ]);
        expect(g.blocks[0].branch).toContain('layer1.0.conv3');
        expect(prunable(g)).toEqual(expect.arrayContaining(['layer1.0.conv1', 'layer1.0.conv2', 'layer1.1.conv1', 'layer1.1.conv2', 'stem.0']));
      },
    );
  });

  it.each(['mobilenetv2_bn_op16', 'mobilenetv2_folded_op11'])(
    'MobileNetV2 inverted residuals (%s): stride-1 blocks removable, depthwise channels prunable',
    async (name) => {
      await pruneAndExport(
        name,
        [
          { kind: 'remove-channels', group: 'features.3.conv.0.0', indices: [0, 5, 35] },
          { kind: 'remove-block', block: 'features.1' },
          { kind: 'remove-channels', group: 'features.2.conv.0.0', indices: [3] },
          { kind: 'remove-channels', group: 'features.2.conv.2', indices: [11] },
        ],
        (g) => {
          expect(blocks(g)).toEqual([
            ['features.1', true],
            ['features.3', true],
          ]);
          const expand = g.groups.find((x) => x.id === 'features.3.conv.0.0')!;
          expect(expand.passthrough).toEqual(expect.arrayContaining(['features.3.conv.1.0']));
          expect(prunable(g)).toEqual(
            expect.arrayContaining(['features.0.0', 'features.2.conv.0.0', 'features.2.conv.2', 'features.3.conv.0.0', 'features.4.0']),
          );
        },
      );
    },
  );

  it.each(['vgg_view_bn_op11', 'vgg_folded_op13'])('VGG (%s): the conv feeding Flatten -> Linear is prunable', async (name) => {
    await pruneAndExport(
      name,
      [
        { kind: 'remove-channels', group: 'features.4', indices: [0, 5] },
        { kind: 'remove-channels', group: 'features.0', indices: [2] },
        { kind: 'remove-channels', group: 'classifier.0', indices: [3, 7] },
      ],
      (g) => {
        expect(g.blocks).toEqual([]);
        expect(prunable(g)).toEqual(['classifier.0', 'features.0', 'features.4']);
        expect(g.groups.find((x) => x.id === 'features.4')!.consumers).toEqual(['classifier.0']);
      },
    );
  });

  it.each(['se_hardswish_bn_op11', 'se_hardswish_folded_op17'])('squeeze-excitation (%s): the gate is tied to the channels it scales', async (name) => {
    await pruneAndExport(
      name,
      [
        { kind: 'remove-channels', group: 'stem.0', indices: [1, 6] },
        { kind: 'remove-channels', group: 'se.fc1', indices: [0] },
        { kind: 'remove-channels', group: 'project.0', indices: [4] },
      ],
      (g) => {
        expect(prunable(g)).toEqual(['project.0', 'se.fc1', 'stem.0']);
        expect(g.groups.find((x) => x.id === 'stem.0')!.producers).toEqual(['stem.0', 'se.fc2']);
      },
    );
  });

  it('concatenated branches and average pooling', async () => {
    await pruneAndExport(
      'concat_pool_op17',
      [
        { kind: 'remove-channels', group: 'b2.0', indices: [1, 4] },
        { kind: 'remove-channels', group: 'stem.0', indices: [3] },
        { kind: 'remove-channels', group: 'mix', indices: [0] },
      ],
      (g) => {
        expect(prunable(g)).toEqual(['b1', 'b2.0', 'b3.1', 'b4.1', 'mix', 'stem.0']);
      },
    );
  });
});
